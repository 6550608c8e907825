import type { Knex } from 'knex';
import type { ShippingOptionsSource, StoreShippingOption } from '../domain/cart-snapshot';
import type { PlacementMethod } from '../domain/placement-method';

/** A store's shipping settings: its own options (null: one standard option from its flat rule) and where checkouts take them from. */
export interface StoreShippingSettings {
  options: StoreShippingOption[] | null;
  source: ShippingOptionsSource;
}

export const shippingSettingsOf = (row: {
  shipping_options: StoreShippingOption[] | null;
  shipping_options_source: ShippingOptionsSource;
}): StoreShippingSettings => ({
  options: row.shipping_options,
  source: row.shipping_options_source,
});

export async function findShippingSettings(db: Knex, slug: string): Promise<StoreShippingSettings | undefined> {
  const row = await db('stores').where({ slug }).first('shipping_options', 'shipping_options_source');
  return row === undefined ? undefined : shippingSettingsOf(row);
}

/** How the store is placed (only a retailer's API can quote shipping); undefined when there is no such store. */
export async function findPlacementMethod(db: Knex, slug: string): Promise<PlacementMethod | undefined> {
  const row = await db('stores').where({ slug }).first('placement_method');
  return row?.placement_method;
}

/** Null options clear them. Returns false when there is no such store. */
export async function saveShippingSettings(db: Knex, slug: string, settings: StoreShippingSettings): Promise<boolean> {
  const updated = await db('stores')
    .where({ slug })
    .update({
      shipping_options: settings.options === null ? null : JSON.stringify(settings.options),
      shipping_options_source: settings.source,
      updated_at: db.fn.now(),
    });
  return updated > 0;
}

export async function shippingSettingsByStore(
  db: Knex,
  storeIds: readonly string[],
): Promise<Map<string, StoreShippingSettings>> {
  if (storeIds.length === 0) return new Map();
  const rows = await db('stores').whereIn('id', storeIds).select('id', 'shipping_options', 'shipping_options_source');
  return new Map(rows.map((row) => [row.id, shippingSettingsOf(row)]));
}

/** What a retailer quote needs of a store whose options come from its retailer, and what stands in for them. */
export interface QuotingStore extends StoreShippingSettings {
  storeId: string;
  placementMethod: PlacementMethod;
  placementConfig: Record<string, unknown>;
  flatRule: { flatCents: number; freeAboveCents: number | null };
}

export async function retailerQuotedStores(db: Knex, storeIds: readonly string[]): Promise<QuotingStore[]> {
  if (storeIds.length === 0) return [];
  const rows = await db('stores')
    .whereIn('id', storeIds)
    .where({ shipping_options_source: 'retailer' })
    .select(
      'id',
      'placement_method',
      'placement_config',
      'shipping_options',
      'shipping_options_source',
      'shipping_flat_cents',
      'shipping_free_above_cents',
    );
  return rows.map((row) => ({
    ...shippingSettingsOf(row),
    storeId: row.id,
    placementMethod: row.placement_method,
    placementConfig: row.placement_config ?? {},
    flatRule: { flatCents: row.shipping_flat_cents, freeAboveCents: row.shipping_free_above_cents },
  }));
}
