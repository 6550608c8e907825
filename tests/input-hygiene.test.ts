import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import jwt from 'jsonwebtoken';
import pino from 'pino';
import Stripe from 'stripe';
import { createApiPlacementAdapter } from '../src/placement/api-adapter';
import { serializeError } from '../src/logger';
import { startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { bearer, TEST_JWT_SECRET } from './support/tokens';

const WEBHOOK_SECRET = 'whsec_input_hygiene_test';
const logLines: string[] = [];
const logSink = new Writable({
  write(chunk, _encoding, done) {
    logLines.push(String(chunk));
    done();
  },
});

let h: CheckoutHarness;
let sessionId: string;
beforeAll(async () => {
  h = await startCheckoutHarness({
    logger: pino({ level: 'warn' }, logSink),
    placement: {
      adapters: [createApiPlacementAdapter()],
      enqueue: async () => {},
      stripeWebhookSecret: WEBHOOK_SECRET,
    },
  });
  await h.seedCatalog();
  sessionId = await h.sessionReadyToPlace('hy-1');
});
afterAll(() => h.close());

const json = (path: string, raw: string | Buffer, headers: Record<string, string> = {}) =>
  h.http.post(path).set(bearer('hy-1')).set('Content-Type', 'application/json').set(headers).send(raw);

function expectBadInput(res: { status: number; body: any }, field?: string) {
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 400, code: 'validation_failed' });
  if (field) expect(res.body.error.details.fields).toHaveProperty([field]);
  expect(JSON.stringify(res.body)).not.toMatch(/at \w+ \(|node_modules|select |insert |update /i);
}

describe('every bad input is a 4xx', () => {
  it('answers corrupt gzip, deflate and brotli bodies with 400', async () => {
    const gz = gzipSync('{"storeSlug":"acme","sku":"MUG","quantity":1}');
    expectBadInput(
      await json('/api/v1/cart/items', Buffer.concat([gz.subarray(0, 12), Buffer.from('not gzip any more')]), {
        'Content-Encoding': 'gzip',
      }),
    );
    expectBadInput(
      await json('/api/v1/cart/items', Buffer.from('definitely not brotli'), { 'Content-Encoding': 'br' }),
    );
    expectBadInput(await json('/api/v1/cart/items', Buffer.from('nor deflate'), { 'Content-Encoding': 'deflate' }));
    expect(brotliCompressSync('{}').length).toBeGreaterThan(0);
  });

  it('treats an upload the client aborts as the client’s problem, not a server failure', async () => {
    const server = h.app.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const before = logLines.length;
    await new Promise<void>((resolve) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/v1/cart/items',
        headers: { ...bearer('hy-1'), 'Content-Type': 'application/json', 'Content-Length': '5000' },
      });
      req.on('error', () => resolve());
      req.write('{"storeSlug":"acme",');
      setTimeout(() => req.destroy(), 50);
    });
    // The server sees the abort only once the socket closes; wait for its error path to have run.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await new Promise((resolve) => server.close(resolve));
    expect(logLines.slice(before).filter((line) => line.includes('"request failed"'))).toEqual([]);
  });

  it('refuses NUL characters and lone surrogates in any text field, query and path', async () => {
    expectBadInput(
      await json('/api/v1/cart/items', JSON.stringify({ storeSlug: 'acme', sku: 'MUG', quantity: 1, size: 'M\u0000' })),
      'size',
    );
    expectBadInput(
      await json('/api/v1/cart/items', '{"storeSlug":"acme","sku":"MUG","quantity":1,"color":"\\ud800"}'),
      'color',
    );
    const shipping = await h.http
      .put(`/api/v1/checkout/sessions/${sessionId}/shipping`)
      .set(bearer('hy-1'))
      .set('Content-Type', 'application/json')
      .send(
        '{"name":"Ada \\udfff","address1":"1 Market St","city":"SF","state":"CA","zip":"94105","country":"US","phone":"4155550100"}',
      );
    expectBadInput(shipping, 'name');
    expectBadInput(await h.http.get('/api/v1/orders?status=%00').set(bearer('hy-1')), 'query.status');
    expectBadInput(await h.http.get('/api/v1/orders/MO-%00').set(bearer('hy-1')), 'path');
    expectBadInput(await h.http.get('/api/v1/orders/%E0%A4%A').set(bearer('hy-1')), 'path');
  });

  it('refuses tokens whose subject is not text, or that never expire', async () => {
    const withSub = (sub: string) => ({
      Authorization: `Bearer ${jwt.sign({ sub, role: 'shopper' }, TEST_JWT_SECRET, { expiresIn: '1h' })}`,
    });
    for (const sub of ['ada\u0000', 'ada\ud800', 'x'.repeat(201)]) {
      const res = await h.http.get('/api/v1/cart').set(withSub(sub));
      expect({ sub, status: res.status }).toEqual({ sub, status: 401 });
    }
    const forever = jwt.sign({ sub: 'hy-1', role: 'shopper' }, TEST_JWT_SECRET);
    const res = await h.http.get('/api/v1/cart').set('Authorization', `Bearer ${forever}`);
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/expiry/);
  });

  it('refuses deeply nested JSON before anything stringifies it', async () => {
    const deep = `${'['.repeat(40_000)}${']'.repeat(40_000)}`;
    const res = await h.http
      .post(`/api/v1/checkout/sessions/${sessionId}/place`)
      .set(bearer('hy-1'))
      .set('Idempotency-Key', 'hy-deep')
      .set('Content-Type', 'application/json')
      .send(deep);
    expectBadInput(res);
    expect(Object.values(res.body.error.details.fields)).toEqual([
      expect.stringMatching(/nested deeper than 32 levels/),
    ]);
  });

  it('bounds every field: a 5,000-character payment method id or page offset overflow is a 400', async () => {
    const put = await h.http
      .put(`/api/v1/checkout/sessions/${sessionId}/payment`)
      .set(bearer('hy-1'))
      .send({ paymentMethodId: `pm_${'a'.repeat(5000)}` });
    expectBadInput(put, 'paymentMethodId');
    expectBadInput(await h.http.get('/api/v1/orders?limit=99999999999999999999999').set(bearer('hy-1')), 'limit');
    expectBadInput(await h.http.get('/api/v1/ops/orders?offset=1e308').set(bearer('ops-1', 'ops')), 'offset');
  });

  it('names each unknown field in details.fields', async () => {
    const res = await h.http
      .post('/api/v1/cart/items')
      .set(bearer('hy-1'))
      .send({ storeSlug: 'acme', sku: 'MUG', quantity: 1, unitPriceCents: 1, discount: 5 });
    expectBadInput(res);
    expect(res.body.error.details.fields).toEqual({
      unitPriceCents: 'is not a known field',
      discount: 'is not a known field',
    });
  });

  it('answers a Stripe-signed event with a null data.object or no id with 400, never 500', async () => {
    const stripe = new Stripe('sk_test_unused');
    const deliver = (event: object) => {
      const payload = JSON.stringify(event);
      const signature = stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
      return h.http
        .post('/api/v1/webhooks/stripe')
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', signature)
        .send(payload);
    };
    const base = { object: 'event', api_version: '2026-10-28', created: Math.floor(Date.now() / 1000) };
    expectBadInput(
      await deliver({ ...base, id: 'evt_null', type: 'refund.updated', data: { object: null } }),
      'data.object',
    );
    expectBadInput(
      await deliver({ ...base, type: 'refund.updated', data: { object: { id: 're_1', status: 'succeeded' } } }),
      'id',
    );
    expectBadInput(await deliver({ ...base, id: 'evt_nodata', type: 'refund.updated' }), 'data.object');
    expect(
      await h.database.db('provider_webhook_events').whereIn('id', ['evt_null', 'evt_nodata']).select('id'),
    ).toEqual([]);
  });
});

describe('logs', () => {
  it('never carry a shopper’s address from a Postgres error', () => {
    const error = Object.assign(
      new Error('new row for relation "orders" violates check constraint "orders_total_check"'),
      {
        code: '23514',
        table: 'orders',
        constraint: 'orders_total_check',
        detail: 'Failing row contains (…, {"name": "Ada Lovelace", "address1": "1 Market St"}, …).',
        where: 'SQL function "x" statement 1: 1 Market St',
      },
    );
    const lines: string[] = [];
    const logger = pino(
      { serializers: { err: serializeError } },
      new Writable({ write: (c, _e, d) => (lines.push(String(c)), d()) }),
    );
    logger.error({ err: error }, 'request failed');
    expect(lines.join('')).not.toMatch(/Market St|Lovelace/);
    expect(lines.join('')).toMatch(/orders_total_check/);
  });
});
