import { Client } from 'pg';
import { connectEverShopAdmin, type EverShopAdmin } from '../platforms/evershop/admin-client';
import type { PlacementItem, PlacementOrder } from '../../src/placement/placement-adapter';
import type { EverShopSeed } from '../platforms/evershop/seed';

/**
 * What a test file needs to place orders on the EverShop that tests/support/global-setup.ts started: the admin
 * API, its own customer account (EverShop keeps the cart on the server, per account), and orders whose snapshot
 * matches EverShop's prices.
 */
export interface EverShopFixture {
  baseUrl: string;
  admin: EverShopAdmin;
  seed: EverShopSeed;
  customer: { username: string; password: string };
  order(lines: { sku: string; name: string; priceCents: number; quantity: number }[]): PlacementOrder;
  /** Lines in the customer's active (not yet ordered) cart, read from EverShop's database. */
  openCartLines(): Promise<number>;
}

let sequence = 0;

export async function everShopFixture(): Promise<EverShopFixture> {
  const baseUrl = process.env.EVERSHOP_URL;
  if (!baseUrl || !process.env.EVERSHOP_SEED) {
    throw new Error('EverShop is not running: run these tests through jest (tests/support/global-setup.ts starts it)');
  }
  const seed = JSON.parse(process.env.EVERSHOP_SEED) as EverShopSeed;
  const admin = await connectEverShopAdmin(baseUrl, seed.admin);
  const customer = {
    username: `buyer-${process.pid}-${Date.now().toString(36)}@example.test`,
    password: 'Buyer12345!',
  };
  await admin.createCustomer({ email: customer.username, password: customer.password, fullName: 'MOR Test Buyer' });
  return {
    baseUrl,
    admin,
    seed,
    customer,
    order(lines) {
      sequence += 1;
      const items: PlacementItem[] = lines.map((line, index) => ({
        orderItemId: `oi_${index}`,
        sku: line.sku,
        name: line.name,
        quantity: line.quantity,
        unitPriceCents: line.priceCents,
        totalPriceCents: line.priceCents * line.quantity,
      }));
      const subtotalCents = items.reduce((sum, item) => sum + item.totalPriceCents, 0);
      return {
        orderNumber: `MO-EV${Date.now().toString(36).toUpperCase()}${sequence}`,
        storeSlug: 'evershop',
        storeName: 'EverShop',
        currency: 'USD',
        items,
        shippingAddress: {
          name: 'Ada Lovelace',
          address1: '12 Analytical Way',
          address2: '',
          city: 'Austin',
          state: 'TX',
          zip: '78701',
          country: 'US',
          phone: '+15125550100',
        },
        subtotalCents,
        shippingCents: seed.shippingCents,
        taxCents: 0,
        totalCents: subtotalCents + seed.shippingCents,
      };
    },
    async openCartLines() {
      const db = new Client({ host: '127.0.0.1', user: 'postgres', database: process.env.EVERSHOP_DB });
      await db.connect();
      try {
        const { rows } = await db.query(
          `select count(*)::int as n from cart_item ci join cart c on c.cart_id = ci.cart_id
            where c.status = true and c.customer_email = $1`,
          [customer.username],
        );
        return rows[0].n as number;
      } finally {
        await db.end();
      }
    },
  };
}
