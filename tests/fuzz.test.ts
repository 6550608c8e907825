import { gzipSync } from 'node:zlib';
import { createApiPlacementAdapter } from '../src/placement/api-adapter';
import { startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { bearer } from './support/tokens';

/**
 * A few hundred malformed bodies, headers and parameters to every route the OpenAPI document lists (and the
 * operational ones): no answer may be a 5xx, and none may carry a stack trace or SQL.
 */
let h: CheckoutHarness;
let routes: { method: string; path: string }[];
beforeAll(async () => {
  h = await startCheckoutHarness({
    http: { rateLimits: { windowMs: 60_000, shopperPaymentsPerWindow: 0, anonymousPerWindow: 0 } },
    placement: { adapters: [createApiPlacementAdapter()], enqueue: async () => {}, stripeWebhookSecret: 'whsec_fuzz' },
  });
  await h.seedCatalog();
  const doc = (await h.http.get('/api/docs.json').expect(200)).body as {
    paths: Record<string, Record<string, unknown>>;
  };
  routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method, path })));
});
afterAll(() => h.close());

const LEAKS =
  /\n\s+at |node_modules|\.ts:\d+|\bselect\b[^"]*\bfrom\b|\binsert into\b|\bupdate "|syntax error|relation "|violates|pg_|knex/i;

const BODIES: (string | Buffer)[] = [
  '',
  '{',
  '{"a":}',
  'null',
  '0',
  '"text"',
  '[]',
  '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
  `${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`,
  '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
  '{"quantity":1e309,"priceCents":-0,"amountCents":9007199254740993,"limit":"NaN"}',
  '{"storeSlug":"acme","sku":"MUG","quantity":99999999999999999999}',
  '{"storeSlug":"\\u0000","sku":"\\ud800","name":"\\udfff","reason":"x\\u0000y"}',
  JSON.stringify({ storeSlug: 'acme', sku: 'MUG', quantity: 1, size: 'x'.repeat(60_000) }),
  JSON.stringify({
    paymentMethodId: `pm_${'a'.repeat(5000)}`,
    storeOrderNumber: 'y'.repeat(5000),
    trackingNumber: ['a'],
    carrier: { a: 1 },
  }),
  JSON.stringify({
    placementConfig: { recipe: { steps: [{ type: 'goto', url: 123 }] } },
    items: [{ orderItemId: 'x', quantity: -5 }],
  }),
  JSON.stringify({ name: 1, address1: [], city: {}, state: 'ZZ', zip: 'abcde', country: 'FR', phone: '\u0000' }),
  JSON.stringify({ id: 'evt', type: 'order.shipped', data: null }),
  Buffer.from([0xff, 0xfe, 0xfd, 0x00, 0x01]),
];

const PARAM_VALUES = [
  '%00',
  '..%2F..%2Fetc%2Fpasswd',
  "'%20OR%201%3D1--",
  'a'.repeat(600),
  '%E0%A4%A',
  '%F0%9F%92%A9',
  '-1',
  '1e309',
  'MO-%00',
  'cs_%ud800',
];

const QUERIES = [
  '?limit=-1&offset=NaN',
  '?limit=1e400',
  '?status[]=a&status[$ne]=b',
  '?status=%00',
  `?offset=${'9'.repeat(40)}`,
  '?limit=&offset=&status=',
];

type Headers = Record<string, string>;
const HEADER_SETS: { headers: Headers; body?: string | Buffer }[] = [
  { headers: { 'Content-Type': 'text/plain' }, body: 'plain text' },
  { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'a=1&b[c]=2' },
  { headers: { 'Content-Type': 'application/json; charset=utf-7' }, body: '{}' },
  { headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, body: Buffer.from('not gzip') },
  { headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'br' }, body: Buffer.from('not brotli') },
  { headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'compress' }, body: Buffer.from('x') },
  {
    headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
    body: gzipSync(Buffer.alloc(2_000_000, 0x20)),
  },
  { headers: { Authorization: 'Bearer ' + 'a'.repeat(8000) } },
  { headers: { Authorization: 'Basic YWRtaW46YWRtaW4=' } },
  { headers: { Authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4Iiwicm9sZSI6ImFkbWluIn0.' } },
  { headers: { 'Idempotency-Key': 'k'.repeat(300), 'X-Request-Id': 'r'.repeat(500) } },
  { headers: { 'Idempotency-Key': '', 'Stripe-Signature': 't=abc,v1=' + 'f'.repeat(64) } },
  { headers: { 'X-Retailer-Signature': 'sha256=zz' } },
];

const fill = (path: string, value: string) => path.replace(/\{\w+\}/g, value);

async function check(method: string, url: string, headers: Headers, body?: string | Buffer) {
  let req = (h.http as any)[method](url).set(headers).timeout(10_000);
  if (body !== undefined) req = req.send(body);
  const res = await req;
  const text = res.text ?? '';
  return { method, url: url.slice(0, 120), status: res.status, leak: LEAKS.test(text) ? text.slice(0, 300) : null };
}

it('answers hundreds of malformed requests to every route with a 4xx (or success), never a 5xx, stack or SQL', async () => {
  const failures: unknown[] = [];
  let sent = 0;
  const record = (result: Awaited<ReturnType<typeof check>>) => {
    sent += 1;
    if (result.status >= 500 || result.leak) failures.push(result);
  };
  const roles: Headers[] = [bearer('fuzz-admin', 'admin'), bearer('fuzz-shopper')];
  const all = [...routes, { method: 'get', path: '/metrics' }, { method: 'get', path: '/readyz' }];
  for (const { method, path } of all) {
    const base = fill(path, 'x');
    for (const role of roles) {
      const json = { ...role, 'Content-Type': 'application/json', 'Idempotency-Key': `fuzz-${sent}` };
      const bodies = method === 'get' || role !== roles[0] ? [] : BODIES;
      for (const body of bodies)
        record(await check(method, base, { ...json, 'Idempotency-Key': `fuzz-${sent}` }, body));
      for (const value of PARAM_VALUES)
        if (path.includes('{'))
          record(await check(method, fill(path, value), json, method === 'get' ? undefined : '{}'));
      for (const query of QUERIES)
        record(await check(method, `${base}${query}`, json, method === 'get' ? undefined : '{}'));
    }
    for (const { headers, body } of HEADER_SETS) {
      record(
        await check(
          method,
          base,
          { ...bearer('fuzz-admin', 'admin'), ...headers },
          method === 'get' ? undefined : (body ?? '{}'),
        ),
      );
    }
  }
  expect(failures).toEqual([]);
  expect(sent).toBeGreaterThan(300);
}, 180_000);
