import type { Knex } from 'knex';
import { newCheckoutSessionId, newOrderNumber } from '../../src/domain/ids';
import { insertOrders } from '../../src/repositories/order-writes-repository';
import type { NewOrder } from '../../src/domain/order';
import { upsertProduct } from '../../src/repositories/products-repository';
import type { ProductRecord } from '../../src/domain/product';
import { insertStore } from '../../src/repositories/stores-repository';
import type { StoreRecord } from '../../src/domain/store';
import type { RemoteRetailerApiSimulator } from '../../src/sandbox/retailer-api';
import { applyTax, buildSnapshot } from '../../src/services/pricing';
import { BENCH_ADDRESS, SEEDED_PRICE_CENTS, SEEDED_SKU } from './seeded-order';

/**
 * Stores that buy from the simulator (each store its own retailer, so per-store limits apply as in production), and
 * checkouts as the place saga leaves them: session `placed` with its charge in the ledger, one `pending` order per
 * store. Written in bulk: seeding is not what is measured.
 */
export async function seedPaidOrders(
  db: Knex,
  simulator: RemoteRetailerApiSimulator,
  settings: { orders: number; stores: number },
): Promise<string[]> {
  const stores: { store: StoreRecord; product: ProductRecord }[] = [];
  for (let i = 0; i < settings.stores; i++) {
    const slug = `bench-store-${i + 1}`;
    // Re-adding a retailer starts it afresh (orders and counters), so every run counts its own orders.
    await simulator.addRetailer(slug, {
      apiKey: `${slug}-key`,
      catalog: { [SEEDED_SKU]: { priceCents: SEEDED_PRICE_CENTS } },
    });
    const store = (await insertStore(db, {
      slug,
      name: `Bench store ${i + 1}`,
      placementMethod: 'api',
      placementConfig: { baseUrl: simulator.baseUrlFor(slug), apiKey: `${slug}-key` },
      fallbackMethod: 'manual',
      webhookSecret: null,
      currency: 'usd',
      shippingFlatCents: 599,
      shippingFreeAboveCents: null,
      priceToleranceCents: 0,
    }))!;
    const { product } = await upsertProduct(db, {
      storeId: store.id,
      sku: SEEDED_SKU,
      name: 'Bench product',
      priceCents: SEEDED_PRICE_CENTS,
    });
    stores.push({ store, product });
  }

  const now = new Date();
  const orderNumbers: string[] = [];
  const checkouts = Math.ceil(settings.orders / 2);
  for (let first = 0; first < checkouts; first += 250) {
    const sessions: Record<string, unknown>[] = [];
    const charges: Record<string, unknown>[] = [];
    const orders: NewOrder[] = [];
    for (let n = first; n < Math.min(first + 250, checkouts); n++) {
      const picked = [stores[(2 * n) % stores.length]!, stores[(2 * n + 1) % stores.length]!].slice(
        0,
        settings.orders - 2 * n,
      );
      const snapshot = applyTax(
        buildSnapshot(
          'usd',
          picked.map(({ store, product }) => ({
            storeId: store.id,
            storeSlug: store.slug,
            storeName: store.name,
            placementMethod: 'api' as const,
            shipping: { flatCents: store.shippingFlatCents, freeAboveCents: store.shippingFreeAboveCents },
            items: [
              {
                cartItemId: '',
                productId: product.id,
                sku: product.sku,
                name: product.name,
                size: null,
                color: null,
                quantity: 1,
                unitPriceCents: SEEDED_PRICE_CENTS,
                productUrl: null,
                imageUrl: null,
              },
            ],
          })),
        ),
        BENCH_ADDRESS.state,
      );
      const id = newCheckoutSessionId();
      const userId = `bench-shopper-${n}`;
      sessions.push({
        id,
        user_id: userId,
        status: 'placed',
        cart_snapshot: JSON.stringify(snapshot),
        shipping_address: JSON.stringify(BENCH_ADDRESS),
        payment_method_id: 'pm_card_visa',
        currency: 'usd',
        subtotal_cents: snapshot.summary.subtotalCents,
        shipping_cents: snapshot.summary.shippingCents,
        tax_cents: snapshot.summary.taxCents,
        total_cents: snapshot.summary.totalCents,
        payment_intent_id: `pi_bench_${n}`,
        payment_attempt: 1,
        place_idempotency_key: `bench-${n}`,
        expires_at: new Date(now.getTime() + 30 * 60_000),
        placed_at: now,
      });
      charges.push({
        checkout_session_id: id,
        type: 'charge',
        status: 'succeeded',
        amount_cents: snapshot.summary.totalCents,
        currency: 'usd',
        stripe_payment_intent_id: `pi_bench_${n}`,
        idempotency_key: `${id}:charge:1`,
      });
      for (const store of snapshot.stores) {
        const orderNumber = newOrderNumber();
        orderNumbers.push(orderNumber);
        orders.push({
          orderNumber,
          checkoutSessionId: id,
          storeId: store.storeId,
          userId,
          placementMethod: 'api',
          currency: 'usd',
          subtotalCents: store.subtotalCents,
          shippingCents: store.shippingCents,
          taxCents: store.taxCents,
          totalCents: store.totalCents,
          shippingAddress: BENCH_ADDRESS,
          items: store.items.map((item) => ({ ...item, size: null, color: null })),
        });
      }
    }
    await db.transaction(async (trx) => {
      await trx('checkout_sessions').insert(sessions);
      await trx('payment_transactions').insert(charges);
      await insertOrders(trx, orders, now);
    });
  }
  return orderNumbers;
}
