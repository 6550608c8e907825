import type { PlacementOrder } from '../placement/placement-adapter';
import demoRecipe from '../placement/recipes/demo-storefront-recipe.json';
import {
  retailerAccountHint,
  uncertainHistoryReason,
  uncertainPurchasePayload,
  type UncertainPurchase,
} from './uncertain-purchase';

const order: PlacementOrder = {
  orderNumber: 'MO-ABC123',
  storeSlug: 'evershop-demo',
  storeName: 'EverShop Demo',
  currency: 'usd',
  items: [
    { orderItemId: 'oi_1', sku: 'CAP-003', name: 'Cap', quantity: 1, unitPriceCents: 1900, totalPriceCents: 1900 },
  ],
  shippingAddress: {
    name: 'Ada Lovelace',
    address1: '1 Way',
    address2: '',
    city: 'Austin',
    state: 'TX',
    zip: '78701',
    country: 'US',
    phone: '+15125550100',
  },
  subtotalCents: 1900,
  shippingCents: 0,
  taxCents: 0,
  totalCents: 1900,
};
const why: UncertainPurchase = {
  givingUp: 'retries exhausted',
  lookup: 'the browser died after Place Order',
  method: 'headless',
  since: new Date('2026-12-01T10:00:00Z'),
};
const instructionsOf = (payload: Record<string, unknown>) => payload.instructions as string;

describe('the "may already have been bought" ops task', () => {
  it('warns first, says what to look for, and gives both outcomes', () => {
    const text = instructionsOf(uncertainPurchasePayload(order, why));
    expect(text).toMatch(
      /^THIS ORDER MAY ALREADY HAVE BEEN BOUGHT\. An earlier headless attempt may have reached EverShop Demo/,
    );
    expect(text).toContain('(the browser died after Place Order)');
    expect(text).toContain(
      "look in EverShop Demo's account order history for an order placed at EverShop Demo since 2026-12-01T10:00:00.000Z with reference MO-ABC123",
    );
    expect(text).toContain('for about 19.00 USD, shipping to Ada Lovelace, 78701');
    expect(text).toMatch(
      /FOUND: do not buy again; complete this task with that order's number\. NOT FOUND: buy the items below/,
    );
    expect(text).toContain('Nothing has been refunded');
    expect(uncertainHistoryReason(order, why)).toBe(
      'MAY ALREADY HAVE BEEN BOUGHT: retries exhausted; the browser died after Place Order. Sent to ops to check EverShop Demo for MO-ABC123 before buying; nothing refunded',
    );
  });

  it('for a headless store, names the account and the order history page the recipe reads, never the password', () => {
    const config = {
      baseUrl: 'http://shop.example',
      credentials: { username: 'buyer@example.test', password: 's3cret-pw' },
      recipe: demoRecipe,
    };
    const hint = retailerAccountHint('headless', config, order);
    expect(hint.account).toBe('buyer@example.test at http://shop.example');
    expect(hint.whereToLook).toMatch(
      /^sign in at http:\/\/shop\.example as buyer@example\.test, open http:\/\/shop\.example\/account\/orders\?reference=MO-ABC123 \(the page our automated lookup reads\)\. The recipe notes: The history can be searched by reference/,
    );

    const payload = uncertainPurchasePayload(order, { ...why, ...hint });
    expect(instructionsOf(payload)).toContain(
      'Before buying anything, sign in at http://shop.example as buyer@example.test, open http://shop.example/account/orders?reference=MO-ABC123',
    );
    expect(instructionsOf(payload)).toContain('; look there for an order placed at EverShop Demo since');
    expect(payload.mayAlreadyBeBought).toMatchObject({ account: hint.account, whereToLook: hint.whereToLook });
    expect(JSON.stringify(payload)).not.toContain('s3cret-pw');
  });

  it('points at nothing shop-specific for the other methods, or a headless recipe without a lookup page', () => {
    expect(retailerAccountHint('api', { baseUrl: 'http://x.example' }, order)).toEqual({});
    expect(
      retailerAccountHint(
        'headless',
        { baseUrl: 'http://shop.example', credentials: { username: 'u', password: 'p' }, recipe: { steps: [] } },
        order,
      ),
    ).toEqual({
      account: 'u at http://shop.example',
      whereToLook: "sign in at http://shop.example as u, open the account's order history",
    });
  });
});
