import { startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { bearer } from './support/tokens';

let h: CheckoutHarness;
let sessionId: string;
beforeAll(async () => {
  h = await startCheckoutHarness();
  await h.seedCatalog();
  sessionId = await h.sessionReadyToPlace('bad-1');
});
afterAll(() => h.close());

type Case = [method: 'post' | 'put' | 'patch', path: string, body: unknown, role?: 'shopper' | 'admin' | 'ops'];

const JUNK: unknown[] = [null, 42, 'text', [], [1, 2], { unexpected: true }, { quantity: -1 }, { storeSlug: 123 }];

describe('bad input', () => {
  const cases = (): Case[] => [
    ['post', '/api/v1/cart/items', {}],
    ['post', '/api/v1/cart/items', { storeSlug: 'acme', sku: '', quantity: 1 }],
    ['post', '/api/v1/cart/items', { storeSlug: 'ACME!', sku: 'MUG', quantity: 1 }],
    ['post', '/api/v1/cart/items', { storeSlug: 'acme', sku: 'MUG', quantity: 1, size: 'x'.repeat(51) }],
    ['patch', '/api/v1/cart/items/not-a-uuid', { quantity: 1 }],
    ['put', `/api/v1/checkout/sessions/${sessionId}/shipping`, {}],
    [
      'put',
      `/api/v1/checkout/sessions/${sessionId}/shipping`,
      { name: 1, address1: [], city: {}, state: 5, zip: 1, country: 2, phone: 3 },
    ],
    ['put', `/api/v1/checkout/sessions/${sessionId}/payment`, { paymentMethodId: 'card_123' }],
    ['put', `/api/v1/checkout/sessions/not-a-session/payment`, { paymentMethodId: 'pm_card_visa' }],
    ['post', '/api/v1/admin/stores', { slug: 'Bad Slug', name: '', placementMethod: 'carrier-pigeon' }, 'admin'],
    [
      'post',
      '/api/v1/admin/stores',
      { slug: 'ok', name: 'Ok', placementMethod: 'api', placementConfig: { baseUrl: 'ftp://x' } },
      'admin',
    ],
    [
      'post',
      '/api/v1/admin/stores',
      { slug: 'ok', name: 'Ok', placementMethod: 'api', shipping: { flatCents: 1.5 } },
      'admin',
    ],
    ['put', '/api/v1/admin/products', { storeSlug: 'acme', sku: 'X', name: 'X', priceCents: 19.99 }, 'admin'],
    ['put', '/api/v1/admin/products', { storeSlug: 'acme', sku: 'X', name: 'X', priceCents: -1 }, 'admin'],
    ['put', '/api/v1/orders/MO-0000000000/tracking', { trackingNumber: '', carrier: 1 }, 'ops'],
  ];

  it('answers 400 validation_failed naming the bad fields, for every malformed body', async () => {
    for (const [method, path, body, role] of cases()) {
      const res = await h.http[method](path)
        .set(bearer('bad-1', role ?? 'shopper'))
        .send(body as object);
      expect({ path, body, status: res.status }).toEqual({ path, body, status: 400 });
      expect(res.body.success).toBe(false);
      expect(res.body.error.code).toBe('validation_failed');
      expect(Object.keys(res.body.error.details.fields).length).toBeGreaterThan(0);
    }
  });

  it('never answers 500 to junk bodies on any write endpoint', async () => {
    const paths: [Case[0], string, string?][] = [
      ['post', '/api/v1/cart/items'],
      ['put', `/api/v1/checkout/sessions/${sessionId}/shipping`],
      ['put', `/api/v1/checkout/sessions/${sessionId}/payment`],
      ['post', '/api/v1/admin/stores', 'admin'],
      ['put', '/api/v1/admin/stores/acme', 'admin'],
      ['put', '/api/v1/admin/products', 'admin'],
    ];
    for (const [method, path, role] of paths) {
      for (const body of JUNK) {
        const res = await h.http[method](path)
          .set(bearer('bad-1', (role as 'admin') ?? 'shopper'))
          .set('Content-Type', 'application/json')
          .send(JSON.stringify(body));
        expect({ path, body, status: res.status < 500 }).toEqual({ path, body, status: true });
        expect(res.body.error?.code).toEqual(expect.any(String));
      }
    }
  });

  it('answers malformed JSON with 400 and a missing idempotency key with 400', async () => {
    const res = await h.http
      .post('/api/v1/cart/items')
      .set(bearer('bad-1'))
      .set('Content-Type', 'application/json')
      .send('{"storeSlug": ');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    const noKey = await h.http.post(`/api/v1/checkout/sessions/${sessionId}/place`).set(bearer('bad-1'));
    expect(noKey.status).toBe(400);
    expect(noKey.body.error).toMatchObject({
      code: 'validation_failed',
      details: { fields: { 'Idempotency-Key': expect.stringContaining('required') } },
    });
    const longKey = await h.http
      .post(`/api/v1/checkout/sessions/${sessionId}/place`)
      .set(bearer('bad-1'))
      .set('Idempotency-Key', 'k'.repeat(256));
    expect(longKey.status).toBe(400);
    expect(longKey.body.error.details.fields).toHaveProperty('Idempotency-Key');
  });

  it('refuses missing, forged and expired tokens with 401, and the wrong role with 403', async () => {
    expect((await h.http.get('/api/v1/cart')).status).toBe(401);
    expect((await h.http.get('/api/v1/cart').set('Authorization', 'Bearer not.a.jwt')).status).toBe(401);
    const forged = (await import('jsonwebtoken')).sign({ sub: 'x', role: 'admin' }, 'another-secret-entirely');
    expect((await h.http.get('/api/v1/cart').set('Authorization', `Bearer ${forged}`)).body.error.code).toBe(
      'unauthorized',
    );
    const shopperAsAdmin = await h.http
      .post('/api/v1/admin/stores')
      .set(bearer('bad-1'))
      .send({ slug: 'x', name: 'x', placementMethod: 'api' });
    expect(shopperAsAdmin.status).toBe(403);
    expect(shopperAsAdmin.body.error.code).toBe('forbidden');
    const opsAsAdmin = await h.http.put('/api/v1/admin/products').set(bearer('ops-1', 'ops')).send({});
    expect(opsAsAdmin.status).toBe(403);
    const shopperTracking = await h.http
      .put('/api/v1/orders/MO-0000000000/tracking')
      .set(bearer('bad-1'))
      .send({ trackingNumber: '1Z999', carrier: 'UPS' });
    expect(shopperTracking.status).toBe(403);
  });

  it('answers unknown routes with the error envelope', async () => {
    const res = await h.http.get('/api/v1/nothing-here').set(bearer('bad-1'));
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ success: false, error: { code: 'not_found', message: expect.any(String) } });
  });
});
