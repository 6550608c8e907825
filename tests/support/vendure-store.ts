import { randomBytes } from 'node:crypto';
import type { VendurePlatform } from '../platforms/vendure/start';
import { admin, type PlacementHarness } from './placement-harness';
import type { VendureAdmin } from './vendure-admin';

/** Vendure's cheapest shipping method (populated at start): the store charges the shopper the same. */
export const VENDURE_SHIPPING_CENTS = 500;

export interface VendureStoreOptions {
  /** Products created at Vendure and in our catalog at the same price (multiples of 400 cents keep 7.25 % tax exact). */
  products?: { name: string; priceCents: number; stock?: number }[];
  fallbackMethod?: 'manual' | 'headless';
  priceToleranceCents?: number;
  /** Another address for the Shop API (a delaying proxy in front of Vendure). */
  shopApiUrl?: string;
  timeoutMs?: number;
}

/**
 * A store of ours placed through the Vendure connector, and its products created at that Vendure with SKUs of
 * their own (every test file shares one Vendure), stock tracked. Answers the SKUs in the order of `products`.
 */
export async function createVendureStore(
  h: PlacementHarness,
  platform: Omit<VendurePlatform, 'stop'>,
  vendure: VendureAdmin,
  slug: string,
  options: VendureStoreOptions = {},
) {
  const tag = randomBytes(3).toString('hex').toUpperCase();
  const products = (options.products ?? [{ name: 'Trail mug', priceCents: 1200 }]).map((product, index) => ({
    ...product,
    sku: `${slug.toUpperCase()}-${tag}-${index + 1}`,
  }));
  for (const product of products)
    await vendure.createProduct({
      sku: product.sku,
      name: product.name,
      priceCents: product.priceCents,
      stock: product.stock ?? 100,
    });
  const placementConfig = {
    platform: 'vendure',
    shopApiUrl: options.shopApiUrl ?? platform.shopApiUrl,
    adminApiUrl: platform.adminApiUrl,
    adminUsername: platform.adminUsername,
    adminPassword: platform.adminPassword,
    paymentMethodCode: platform.paymentMethodCode,
    customerEmailAddress: 'purchasing@mor.example',
    orderReferenceField: platform.orderReferenceField,
    timeoutMs: options.timeoutMs ?? 10_000,
  };
  const created = await h.http
    .post('/api/v1/admin/stores')
    .set(admin)
    .send({
      slug,
      name: `Store ${slug}`,
      placementMethod: 'api',
      placementConfig,
      fallbackMethod: options.fallbackMethod,
      priceToleranceCents: options.priceToleranceCents ?? 0,
      shipping: { flatCents: VENDURE_SHIPPING_CENTS },
    })
    .expect(201);
  for (const product of products) {
    await h.http
      .put('/api/v1/admin/products')
      .set(admin)
      .send({ storeSlug: slug, sku: product.sku, name: product.name, priceCents: product.priceCents })
      .expect(201);
  }
  return {
    storeId: created.body.data.storeId as string,
    slug,
    name: `Store ${slug}`,
    skus: products.map((product) => product.sku),
    placementConfig,
  };
}
