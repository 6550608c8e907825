import type { Knex } from 'knex';
import type { ProductRecord } from '../domain/product';
import { prepared } from '../db/prepared';

interface ProductRow {
  id: string;
  store_id: string;
  sku: string;
  name: string;
  price_cents: number;
  product_url: string | null;
  image_url: string | null;
  available: boolean;
}

const PRODUCT_COLUMNS = [
  'id',
  'store_id',
  'sku',
  'name',
  'price_cents',
  'product_url',
  'image_url',
  'available',
] as const;

const toRecord = (row: ProductRow): ProductRecord => ({
  id: row.id,
  storeId: row.store_id,
  sku: row.sku,
  name: row.name,
  priceCents: row.price_cents,
  productUrl: row.product_url,
  imageUrl: row.image_url,
  available: row.available,
});

export interface ProductUpsert {
  storeId: string;
  sku: string;
  name: string;
  priceCents: number;
  productUrl?: string;
  imageUrl?: string;
  available?: boolean;
}

/** Insert or update by (store, sku); fields not given keep their value on update. */
export async function upsertProduct(
  db: Knex,
  product: ProductUpsert,
): Promise<{ product: ProductRecord; created: boolean }> {
  const insert = {
    store_id: product.storeId,
    sku: product.sku,
    name: product.name,
    price_cents: product.priceCents,
    product_url: product.productUrl ?? null,
    image_url: product.imageUrl ?? null,
    available: product.available ?? true,
  };
  const merge: Record<string, unknown> = {
    name: insert.name,
    price_cents: insert.price_cents,
    updated_at: db.fn.now(),
  };
  if (product.productUrl !== undefined) merge.product_url = product.productUrl;
  if (product.imageUrl !== undefined) merge.image_url = product.imageUrl;
  if (product.available !== undefined) merge.available = product.available;
  const [row] = await db('products')
    .insert(insert)
    .onConflict(['store_id', 'sku'])
    .merge(merge)
    .returning(db.raw('*, (xmax = 0) AS created'));
  return { product: toRecord(row), created: row.created };
}

/** The product with this sku at the store with this slug: one lookup where the cart needs both. */
export async function findProductAtStore(db: Knex, storeSlug: string, sku: string): Promise<ProductRecord | null> {
  const row = await prepared(
    'products.find_at_store',
    db('products as p')
      .join('stores as s', 's.id', 'p.store_id')
      .where({ 's.slug': storeSlug, 'p.sku': sku })
      .first(PRODUCT_COLUMNS.map((column) => `p.${column}`)),
  );
  return row ? toRecord(row) : null;
}

/** One buyable product of a store (the first by sku), for a dry check to price at the retailer. */
export async function findSampleProduct(db: Knex, storeId: string): Promise<ProductRecord | null> {
  const row = await db('products').where({ store_id: storeId, available: true }).orderBy('sku').first(PRODUCT_COLUMNS);
  return row ? toRecord(row) : null;
}
