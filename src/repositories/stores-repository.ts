import type { Knex } from 'knex';
import { prepared } from '../db/prepared';
import type { FallbackMethod, PlacementMethod } from '../domain/placement-method';
import type { StoreRecord } from '../domain/store';

export type StoreWrite = Omit<StoreRecord, 'id'>;

interface StoreRow {
  id: string;
  slug: string;
  name: string;
  placement_method: PlacementMethod;
  placement_config: Record<string, unknown>;
  fallback_method: FallbackMethod | null;
  webhook_secret: string | null;
  currency: string;
  shipping_flat_cents: number;
  shipping_free_above_cents: number | null;
  price_tolerance_cents: number;
}

/** What `toRecord` reads, named rather than `*` so a prepared statement keeps its result type. */
const STORE_COLUMNS = [
  'id',
  'slug',
  'name',
  'placement_method',
  'placement_config',
  'fallback_method',
  'webhook_secret',
  'currency',
  'shipping_flat_cents',
  'shipping_free_above_cents',
  'price_tolerance_cents',
];

const toRecord = (row: StoreRow): StoreRecord => ({
  id: row.id,
  slug: row.slug,
  name: row.name,
  placementMethod: row.placement_method,
  placementConfig: row.placement_config,
  fallbackMethod: row.fallback_method,
  webhookSecret: row.webhook_secret,
  currency: row.currency,
  shippingFlatCents: row.shipping_flat_cents,
  shippingFreeAboveCents: row.shipping_free_above_cents,
  priceToleranceCents: row.price_tolerance_cents,
});

const toRow = (store: Partial<StoreWrite>) => ({
  slug: store.slug,
  name: store.name,
  placement_method: store.placementMethod,
  placement_config: store.placementConfig === undefined ? undefined : JSON.stringify(store.placementConfig),
  fallback_method: store.fallbackMethod,
  webhook_secret: store.webhookSecret,
  currency: store.currency,
  shipping_flat_cents: store.shippingFlatCents,
  shipping_free_above_cents: store.shippingFreeAboveCents,
  price_tolerance_cents: store.priceToleranceCents,
});

export async function insertStore(db: Knex, store: StoreWrite): Promise<StoreRecord | null> {
  const [row] = await db('stores').insert(toRow(store)).onConflict('slug').ignore().returning('*');
  return row ? toRecord(row) : null;
}

export async function updateStore(db: Knex, slug: string, changes: Partial<StoreWrite>): Promise<StoreRecord | null> {
  const [row] = await db('stores')
    .where({ slug })
    .update({ ...toRow(changes), updated_at: db.fn.now() })
    .returning('*');
  return row ? toRecord(row) : null;
}

export async function findStoreBySlug(db: Knex, slug: string): Promise<StoreRecord | null> {
  const row = await db('stores').where({ slug }).first();
  return row ? toRecord(row) : null;
}

export async function findStoreById(db: Knex, id: string): Promise<StoreRecord | null> {
  const row = await prepared('stores.find_by_id', db('stores').where({ id }).first(STORE_COLUMNS));
  return row ? toRecord(row) : null;
}

export async function findStoresByIds(db: Knex, ids: readonly string[]): Promise<StoreRecord[]> {
  if (ids.length === 0) return [];
  const rows = await db('stores').whereIn('id', ids);
  return rows.map(toRecord);
}

export async function listStores(db: Knex): Promise<StoreRecord[]> {
  const rows = await db('stores').orderBy('name');
  return rows.map(toRecord);
}
