import type { Knex } from 'knex';
import type { StoreShippingOption } from '../domain/cart-snapshot';

/** A store's own shipping options; null when it has none (one standard option from its flat rule). */
export async function findShippingOptions(db: Knex, slug: string): Promise<StoreShippingOption[] | null | undefined> {
  const row = await db('stores').where({ slug }).first('shipping_options');
  return row === undefined ? undefined : row.shipping_options;
}

/** Null clears them. Returns false when there is no such store. */
export async function saveShippingOptions(db: Knex, slug: string, options: StoreShippingOption[] | null): Promise<boolean> {
  const updated = await db('stores')
    .where({ slug })
    .update({ shipping_options: options === null ? null : JSON.stringify(options), updated_at: db.fn.now() });
  return updated > 0;
}

export async function shippingOptionsByStore(db: Knex, storeIds: readonly string[]): Promise<Map<string, StoreShippingOption[] | null>> {
  if (storeIds.length === 0) return new Map();
  const rows = await db('stores').whereIn('id', storeIds).select('id', 'shipping_options');
  return new Map(rows.map((row) => [row.id, row.shipping_options]));
}
