import { MAX_CART_LINES, MAX_PAYMENT_CENTS } from '../src/domain/limits';
import { createStripeGateway } from '../src/payments/stripe-gateway';
import { ADDRESS, startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { bearer } from './support/tokens';

let h: CheckoutHarness;
const admin = bearer('admin-1', 'admin');

beforeAll(async () => {
  h = await startCheckoutHarness();
  const stores = [
    { slug: 'oddmoney', name: 'Odd Money', currency: 'xyz', shipping: { flatCents: 0 } },
    { slug: 'pennies', name: 'Pennies', shipping: { flatCents: 0 } },
    { slug: 'jeweller', name: 'Jeweller', shipping: { flatCents: 599 } },
  ];
  for (const store of stores) {
    await h.http
      .post('/api/v1/admin/stores')
      .set(admin)
      .send({ ...store, placementMethod: 'api', placementConfig: { baseUrl: 'http://127.0.0.1:9/x', apiKey: 'k' } })
      .expect(201);
  }
  const products = [
    { storeSlug: 'oddmoney', sku: 'COIN', name: 'Coin', priceCents: 5000 },
    { storeSlug: 'pennies', sku: 'GUM', name: 'Gum', priceCents: 10 },
    { storeSlug: 'pennies', sku: 'FREE', name: 'Sticker', priceCents: 0 },
    { storeSlug: 'jeweller', sku: 'TIARA', name: 'Tiara', priceCents: 60_000_000 },
    { storeSlug: 'jeweller', sku: 'CROWN', name: 'Crown', priceCents: 99_990_000 },
  ];
  for (const product of products) await h.http.put('/api/v1/admin/products').set(admin).send(product).expect(201);
});
afterAll(() => h.close());

async function readySession(userId: string, storeSlug: string, sku: string): Promise<string> {
  await h.addToCart(userId, storeSlug, sku, 1);
  const created = await h.http.post('/api/v1/checkout/sessions').set(bearer(userId)).expect(201);
  const sessionId = created.body.data.sessionId as string;
  await h.http.put(`/api/v1/checkout/sessions/${sessionId}/shipping`).set(bearer(userId)).send(ADDRESS).expect(200);
  await h.http
    .put(`/api/v1/checkout/sessions/${sessionId}/payment`)
    .set(bearer(userId))
    .send({ paymentMethodId: 'pm_card_visa' })
    .expect(200);
  return sessionId;
}

const place = (userId: string, sessionId: string, key: string) =>
  h.http.post(`/api/v1/checkout/sessions/${sessionId}/place`).set(bearer(userId)).set('Idempotency-Key', key);

describe('a charge Stripe refuses for its amount or currency', () => {
  it('answers 422 payment_refused, records the failed attempt and leaves the session payable and cancellable', async () => {
    const sessionId = await readySession('lim-1', 'oddmoney', 'COIN');
    const res = await place('lim-1', sessionId, 'lim-1-a');
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({
      code: 'payment_refused',
      details: { reason: 'invalid_currency', param: 'currency' },
    });

    const session = await h.http.get(`/api/v1/checkout/sessions/${sessionId}`).set(bearer('lim-1')).expect(200);
    expect(session.body.data.status).toBe('pending');
    const ledger = await h.database.db('payment_transactions').where({ checkout_session_id: sessionId });
    expect(ledger).toEqual([
      expect.objectContaining({ type: 'charge', status: 'failed', failure_code: 'invalid_currency' }),
    ]);

    // Recovery has nothing to retry: the session is not left processing.
    h.clock.advance(10 * 60_000);
    expect(await h.app.services.placeCheckout.recoverStalePlacements()).toBe(0);
    h.clock.advance(-10 * 60_000);
    expect((await h.database.db('checkout_sessions').where({ id: sessionId }).first()).status).toBe('pending');

    // Placing again tries again (and is refused the same way); cancelling works.
    expect((await place('lim-1', sessionId, 'lim-1-b')).body.error.code).toBe('payment_refused');
    const cancelled = await h.http.delete(`/api/v1/checkout/sessions/${sessionId}`).set(bearer('lim-1')).expect(200);
    expect(cancelled.body.data.status).toBe('cancelled');
  });

  it('answers a total below the provider minimum with payment_refused amount_too_small', async () => {
    const sessionId = await readySession('lim-2', 'pennies', 'GUM');
    const res = await place('lim-2', sessionId, 'lim-2-a');
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'payment_refused', details: { reason: 'amount_too_small' } });
    expect(res.body.error.message).toMatch(/smallest payment/);
  });

  it('the sandbox refuses an amount above the maximum as Stripe does, and the gateway calls it a refusal', async () => {
    const gateway = createStripeGateway({ secretKey: 'sk_test_limits', apiUrl: h.stripe.url, maxNetworkRetries: 0 });
    const outcome = await gateway.charge({
      amountCents: MAX_PAYMENT_CENTS + 1,
      currency: 'usd',
      paymentMethodId: 'pm_card_visa',
      idempotencyKey: 'lim-too-large',
      captureMethod: 'automatic',
      metadata: {},
    });
    expect(outcome).toMatchObject({ kind: 'refused', code: 'amount_too_large', param: 'amount' });
  });
});

describe('cart and checkout limits', () => {
  it('refuses a cart subtotal above the largest payment with 422 cart_limit_exceeded', async () => {
    await h.addToCart('lim-3', 'jeweller', 'TIARA', 1);
    const res = await h.http
      .post('/api/v1/cart/items')
      .set(bearer('lim-3'))
      .send({ storeSlug: 'jeweller', sku: 'TIARA', quantity: 1 });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({
      code: 'cart_limit_exceeded',
      details: { limit: 'subtotal', maxCents: MAX_PAYMENT_CENTS },
    });
    const cart = await h.http.get('/api/v1/cart').set(bearer('lim-3')).expect(200);
    expect(cart.body.data.items[0].quantity).toBe(1);
    const item = cart.body.data.items[0].id;
    const patch = await h.http.patch(`/api/v1/cart/items/${item}`).set(bearer('lim-3')).send({ quantity: 2 });
    expect(patch.status).toBe(422);
    expect(patch.body.error.code).toBe('cart_limit_exceeded');
  });

  it(`refuses more than ${MAX_CART_LINES} lines`, async () => {
    for (let i = 0; i < MAX_CART_LINES; i += 1) await h.addToCart('lim-4', 'pennies', 'GUM', 1, { size: `s${i}` });
    const res = await h.http
      .post('/api/v1/cart/items')
      .set(bearer('lim-4'))
      .send({ storeSlug: 'pennies', sku: 'GUM', quantity: 1, size: 'one-more' });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'cart_limit_exceeded', details: { limit: 'lines' } });
    // More of a line already in the cart is still fine.
    await h.addToCart('lim-4', 'pennies', 'GUM', 1, { size: 's0' });
  });

  it('refuses an address whose tax takes the total above the largest payment, and a checkout with nothing to pay', async () => {
    await h.addToCart('lim-5', 'jeweller', 'CROWN', 1);
    const created = await h.http.post('/api/v1/checkout/sessions').set(bearer('lim-5')).expect(201);
    expect(created.body.data.cartSnapshot.summary.totalCents).toBe(99_990_599);
    const res = await h.http
      .put(`/api/v1/checkout/sessions/${created.body.data.sessionId}/shipping`)
      .set(bearer('lim-5'))
      .send(ADDRESS);
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'amount_too_large', details: { maxCents: MAX_PAYMENT_CENTS } });

    await h.addToCart('lim-6', 'pennies', 'FREE', 1);
    const free = await h.http.post('/api/v1/checkout/sessions').set(bearer('lim-6'));
    expect(free.status).toBe(422);
    expect(free.body.error.code).toBe('amount_too_small');
  });
});
