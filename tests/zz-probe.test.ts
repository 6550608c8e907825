import { gzipSync } from 'node:zlib';
import { startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { bearer } from './support/tokens';
let h: CheckoutHarness;
beforeAll(async () => { h = await startCheckoutHarness(); await h.seedCatalog(); });
afterAll(() => h.close());
it('probe', async () => {
  const gz = gzipSync(Buffer.from('{"storeSlug":"acme","sku":"MUG","quantity":1}'));
  const corrupt = Buffer.concat([gz.subarray(0, 12), Buffer.from('garbage-garbage')]);
  for (const [enc, buf] of [['gzip', corrupt], ['br', Buffer.from('not brotli at all')], ['deflate', Buffer.from('xx')], ['gzip', gz]] as const) {
    const res = await h.http.post('/api/v1/cart/items').set(bearer('p1')).set('Content-Type', 'application/json').set('Content-Encoding', enc).send(buf);
    console.log(enc, res.status, JSON.stringify(res.body));
  }
  const r2 = await h.http.get('/api/v1/orders/%E0%A4%A').set(bearer('p1'));
  console.log('badpath', r2.status, JSON.stringify(r2.body), r2.headers['cache-control'], r2.headers['x-content-type-options'], r2.headers['x-frame-options']);
});
