import type { PlacementOrder } from '../placement-adapter';
import { buildRecipeValues } from './recipe-variables';

const order = (shippingOption: PlacementOrder['shippingOption']): PlacementOrder => ({
  orderNumber: 'MO-ABCDEFGHIJ',
  storeSlug: 'shop',
  storeName: 'Shop',
  currency: 'usd',
  items: [],
  shippingAddress: {
    name: 'Ada Lovelace',
    address1: '1 Market St',
    city: 'San Francisco',
    state: 'CA',
    zip: '94105',
    country: 'US',
    phone: '+14155550100',
  },
  shippingOption,
  subtotalCents: 1000,
  shippingCents: 1500,
  taxCents: 73,
  totalCents: 2573,
});

describe('recipe variables', () => {
  const inputs = { baseUrl: 'https://shop.example/', credentials: { username: 'u', password: 'p' } };

  it('give a recipe the shopper’s shipping choice, to select it on the retailer’s checkout', () => {
    const values = buildRecipeValues({
      ...inputs,
      order: order({ id: 'express', name: 'Express', priceCents: 1500, deliveryEstimate: { minDays: 1, maxDays: 2 } }),
    });
    expect(values).toMatchObject({
      'shipping.methodId': 'express',
      'shipping.methodName': 'Express',
      'order.totalCents': 2573,
    });
  });

  it('leave them empty for an order without a choice, so a select step with skipIfEmpty skips', () => {
    expect(buildRecipeValues({ ...inputs, order: order(null) })).toMatchObject({
      'shipping.methodId': '',
      'shipping.methodName': '',
    });
  });
});
