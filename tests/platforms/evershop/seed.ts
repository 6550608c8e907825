import { connectEverShopAdmin } from './admin-client';

/** What every EverShop test can rely on; tests add their own products and customer accounts. */
export interface EverShopSeed {
  admin: { email: string; password: string };
  /** Flat shipping of the one method, "Standard", for the US. */
  shippingCents: number;
  products: { sku: string; name: string; priceCents: number; urlKey: string; uuid: string }[];
}

const SHIPPING_CENTS = 500;
const PRODUCTS = [
  { sku: 'TEE-1', name: 'Plain Tee', priceCents: 2500, qty: 10_000 },
  { sku: 'MUG-1', name: 'Coffee Mug', priceCents: 1250, qty: 10_000 },
];

/** Products, a shipping zone for the US with one flat-rate method; cash on delivery is on in config/default.json. */
export async function seedEverShop(baseUrl: string, admin: { email: string; password: string }): Promise<EverShopSeed> {
  const client = await connectEverShopAdmin(baseUrl, admin);
  const products = [];
  for (const product of PRODUCTS) {
    const created = await client.createProduct(product);
    products.push({ ...product, urlKey: created.urlKey, uuid: created.uuid });
  }
  const api = async (path: string, body: unknown) => {
    const token = await fetch(`${baseUrl}/api/user/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) })
      .then((res) => res.json() as Promise<{ data: { accessToken: string } }>);
    const res = await fetch(`${baseUrl}/api${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token.data.accessToken}` },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { data: { uuid: string }; error?: unknown };
    if (!res.ok || json.error) throw new Error(`EverShop seed ${path} -> ${res.status} ${JSON.stringify(json)}`);
    return json.data;
  };
  const zone = await api('/shippingZones', { name: 'US', countries: ['US'] });
  const method = await api('/shippingProviders/core/methods', { name: 'Standard', is_enabled: true });
  await api('/shippingProviders/core/rates', { method_id: method.uuid, zone_id: zone.uuid, is_enabled: true, cost: SHIPPING_CENTS / 100 });
  return { admin, shippingCents: SHIPPING_CENTS, products };
}
