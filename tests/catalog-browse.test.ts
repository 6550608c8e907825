import { documentedResponseSchemas } from '../src/http/openapi';
import { startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { bearer } from './support/tokens';

const admin = bearer('admin-1', 'admin');
const schemas = documentedResponseSchemas();
let h: CheckoutHarness;

interface Listed {
  sku: string;
  name: string;
  storeSlug: string;
  available: boolean;
}

/** The answer, held to what the OpenAPI document promises for it (no field more, none missing). */
function documented(operation: string, res: { status: number; body: any }) {
  const schema = schemas.get(`${operation} ${res.status}`);
  expect(schema).toBeDefined();
  const parsed = schema!.safeParse(res.body);
  expect(parsed.error?.issues ?? []).toEqual([]);
  expect(res.body).toStrictEqual(parsed.data);
  return res.body;
}

const skus = (body: { data: Listed[] }) => body.data.map((product) => product.sku);

beforeAll(async () => {
  h = await startCheckoutHarness();
  for (const slug of ['trail', 'home', 'bulk']) {
    await h.http
      .post('/api/v1/admin/stores')
      .set(admin)
      .send({ slug, name: `${slug} store`, placementMethod: 'manual' })
      .expect(201);
  }
  const products = [
    { storeSlug: 'trail', sku: 'TENT', name: 'Ultralight shelter', priceCents: 29900 },
    { storeSlug: 'trail', sku: 'TENT-2P', name: 'Two-person tent', priceCents: 12999 },
    { storeSlug: 'trail', sku: 'PEGS', name: 'Tent pegs', priceCents: 999 },
    { storeSlug: 'trail', sku: 'BAG-0C', name: 'Sleeping bag', priceCents: 8999 },
    { storeSlug: 'trail', sku: 'LIGHT-1', name: 'LED lantern', priceCents: 2999 },
    {
      storeSlug: 'trail',
      sku: 'PACK-40',
      name: 'Hiking backpack',
      priceCents: 11900,
      imageUrl: 'https://img.example/pack.jpg',
    },
    { storeSlug: 'trail', sku: 'OLD-PACK', name: 'Backpack rain cover', priceCents: 1900, available: false },
    { storeSlug: 'home', sku: 'TOY-7', name: 'Tentacle plush toy', priceCents: 1500 },
    { storeSlug: 'home', sku: 'LAMP', name: 'Desk lamp', priceCents: 3499 },
    { storeSlug: 'home', sku: 'PCT_50', name: '50% off voucher', priceCents: 0 },
  ];
  for (const product of products) await h.http.put('/api/v1/admin/products').set(admin).send(product).expect(201);
  for (let n = 1; n <= 45; n += 1) {
    const sku = `W-${String(n).padStart(3, '0')}`;
    await h.http
      .put('/api/v1/admin/products')
      .set(admin)
      .send({ storeSlug: 'bulk', sku, name: `Widget ${sku}`, priceCents: 100 + n })
      .expect(201);
  }
});
afterAll(() => h.close());

describe('browsing the catalog', () => {
  it('lists products without a token, by name, with the list meta of the ops lists', async () => {
    const res = documented('GET /api/v1/products', await h.http.get('/api/v1/products?store=home').expect(200));
    expect(skus(res)).toEqual(['PCT_50', 'LAMP', 'TOY-7']);
    expect(res.meta).toEqual({ totalProducts: 3, limit: 20, offset: 0 });
    expect(res.data[1]).toMatchObject({
      name: 'Desk lamp',
      priceCents: 3499,
      storeSlug: 'home',
      storeName: 'home store',
      currency: 'usd',
      available: true,
    });
  });

  it('pages through every product once, whatever the page size', async () => {
    const seen: string[] = [];
    for (let offset = 0; offset < 45; offset += 20) {
      const res = documented(
        'GET /api/v1/stores/{slug}/products',
        await h.http.get(`/api/v1/stores/bulk/products?limit=20&offset=${offset}`).expect(200),
      );
      expect(res.meta).toEqual({ totalProducts: 45, limit: 20, offset });
      seen.push(...skus(res));
    }
    expect(seen).toHaveLength(45);
    expect(new Set(seen).size).toBe(45);
    expect(seen).toEqual([...seen].sort());

    const searched: string[] = [];
    for (let offset = 0; offset < 45; offset += 7) {
      const res = await h.http.get(`/api/v1/products?q=widget&limit=7&offset=${offset}`).expect(200);
      expect(res.body.meta.totalProducts).toBe(45);
      searched.push(...skus(res.body));
    }
    expect(new Set(searched).size).toBe(45);

    const past = documented(
      'GET /api/v1/products',
      await h.http.get('/api/v1/products?q=widget&offset=100').expect(200),
    );
    expect(past).toMatchObject({ data: [], meta: { totalProducts: 45, offset: 100 } });
  });

  it('ranks an exact SKU first, then names that contain the words, then the closest names', async () => {
    const res = await h.http.get('/api/v1/products?q=tent').expect(200);
    expect(skus(res.body)).toEqual(['TENT', 'PEGS', 'TENT-2P', 'TOY-7']);
    expect(res.body.meta.totalProducts).toBe(4);
  });

  it('forgives typos in a word and finds SKUs by part', async () => {
    expect(skus((await h.http.get('/api/v1/products?q=backpak').expect(200)).body)).toEqual(['PACK-40', 'OLD-PACK']);
    expect(skus((await h.http.get('/api/v1/products?q=sleping').expect(200)).body)).toEqual(['BAG-0C']);
    expect(skus((await h.http.get('/api/v1/products?q=sleping%20bag').expect(200)).body)).toEqual(['BAG-0C']);
    expect(skus((await h.http.get('/api/v1/products?q=hikng').expect(200)).body)).toEqual(['PACK-40']);
    expect(skus((await h.http.get('/api/v1/products?q=lantren').expect(200)).body)).toEqual(['LIGHT-1']);
    // Every word must match (each within a typo), in any order.
    expect(skus((await h.http.get('/api/v1/products?q=lamp%20desk').expect(200)).body)).toEqual(['LAMP']);
    expect(skus((await h.http.get('/api/v1/products?q=desk%20tent').expect(200)).body)).toEqual([]);
    // The SKU that contains the query first; the one with the same words after it.
    expect(skus((await h.http.get('/api/v1/products?q=pack-4').expect(200)).body)).toEqual(['PACK-40', 'OLD-PACK']);
    expect(skus((await h.http.get('/api/v1/products?q=DESK%20LAMP').expect(200)).body)).toEqual(['LAMP']);
  });

  it('takes % and _ in a query literally', async () => {
    expect(skus((await h.http.get('/api/v1/products?q=50%25').expect(200)).body)).toEqual(['PCT_50']);
    expect(skus((await h.http.get('/api/v1/products?q=t_50').expect(200)).body)).toEqual(['PCT_50']);
    expect((await h.http.get('/api/v1/products?q=%25%25%25').expect(200)).body.meta.totalProducts).toBe(0);
  });

  it('filters by store and availability, and reads an empty q as no search', async () => {
    expect(
      skus((await h.http.get('/api/v1/stores/trail/products?q=backpack&available=true').expect(200)).body),
    ).toEqual(['PACK-40']);
    expect(skus((await h.http.get('/api/v1/products?store=trail&available=false').expect(200)).body)).toEqual([
      'OLD-PACK',
    ]);
    expect((await h.http.get('/api/v1/products?q=&store=trail').expect(200)).body.meta.totalProducts).toBe(7);
    expect((await h.http.get('/api/v1/stores/home/products?q=tent').expect(200)).body.data).toEqual([
      expect.objectContaining({ sku: 'TOY-7', storeSlug: 'home' }),
    ]);
  });

  it('answers an unknown store with 404 store_not_found, and bad paging with 400', async () => {
    const missing = documented(
      'GET /api/v1/stores/{slug}/products',
      await h.http.get('/api/v1/stores/nowhere/products').expect(404),
    );
    expect(missing.error.code).toBe('store_not_found');
    expect((await h.http.get('/api/v1/products?store=nowhere&q=tent').expect(404)).body.error.code).toBe(
      'store_not_found',
    );
    expect((await h.http.get('/api/v1/stores/trail/products?q=zzzzqqq').expect(200)).body.meta.totalProducts).toBe(0);
    const bad = documented(
      'GET /api/v1/products',
      await h.http.get('/api/v1/products?limit=500&available=maybe').expect(400),
    );
    expect(Object.keys(bad.error.details.fields).sort()).toEqual(['available', 'limit']);
    expect(
      (await h.http.get(`/api/v1/products?q=${'x'.repeat(101)}`).expect(400)).body.error.details.fields,
    ).toHaveProperty('q');
    expect((await h.http.get('/api/v1/stores/Not_A_Slug/products').expect(400)).body.error.code).toBe(
      'validation_failed',
    );
  });
});
