import type { Knex } from 'knex';
import type { LeverAction, LeverEventRecord, StoreLeversRecord } from '../domain/store-levers';
import type { PlacementMethod } from '../domain/placement-method';

interface LeversRow {
  id: string;
  slug: string;
  name: string;
  placement_method: PlacementMethod;
  fallback_method: PlacementMethod | null;
  method_override: PlacementMethod | null;
  paused_at: Date | null;
  paused_by: string | null;
  pause_reason: string | null;
}

const LEVER_COLUMNS = [
  'id',
  'slug',
  'name',
  'placement_method',
  'fallback_method',
  'method_override',
  'paused_at',
  'paused_by',
  'pause_reason',
];

const toLevers = (row: LeversRow): StoreLeversRecord => ({
  id: row.id,
  slug: row.slug,
  name: row.name,
  placementMethod: row.placement_method,
  fallbackMethod: row.fallback_method,
  methodOverride: row.method_override,
  pausedAt: row.paused_at,
  pausedBy: row.paused_by,
  pauseReason: row.pause_reason,
});

export async function listStoreLevers(db: Knex): Promise<StoreLeversRecord[]> {
  const rows = await db('stores').orderBy('slug').select(LEVER_COLUMNS);
  return rows.map(toLevers);
}

export async function findStoreLevers(db: Knex, slug: string): Promise<StoreLeversRecord | null> {
  const row = await db('stores').where({ slug }).first(LEVER_COLUMNS);
  return row ? toLevers(row) : null;
}

/** A headless store's `concurrency` (its shop account's limit), when it is placed headless right now. */
export async function findStoreSlotLimit(db: Knex, storeId: string): Promise<number | undefined> {
  const row = await db('stores')
    .where({ id: storeId })
    .first<{ method: PlacementMethod; concurrency: unknown } | undefined>(
      db.raw('coalesce(method_override, placement_method) AS method'),
      db.raw("placement_config -> 'concurrency' AS concurrency"),
    );
  if (row?.method !== 'headless') return undefined;
  return typeof row.concurrency === 'number' && row.concurrency >= 1 ? row.concurrency : undefined;
}

export async function isStorePaused(db: Knex, storeId: string): Promise<boolean> {
  const row = await db('stores').where({ id: storeId }).first('paused_at');
  return Boolean(row?.paused_at);
}

interface LeverPull {
  actor: string;
  reason: string;
  fromMethod?: PlacementMethod | null;
  toMethod?: PlacementMethod | null;
}

async function recordLever(
  trx: Knex.Transaction,
  storeId: string,
  action: LeverAction,
  pull: LeverPull,
): Promise<void> {
  await trx('store_lever_events').insert({
    store_id: storeId,
    action,
    actor: pull.actor,
    reason: pull.reason,
    from_method: pull.fromMethod ?? null,
    to_method: pull.toMethod ?? null,
  });
}

/**
 * Changes the store's levers with a compare-and-set on its current state, and records the pull in the same
 * transaction: no lever moves without its who and why. Null when the store was not in the expected state.
 */
async function pull(
  db: Knex,
  slug: string,
  expect: (q: Knex.QueryBuilder) => Knex.QueryBuilder,
  changes: Record<string, unknown>,
  action: LeverAction,
  lever: LeverPull,
): Promise<StoreLeversRecord | null> {
  return db.transaction(async (trx) => {
    const [row] = await expect(trx('stores').where({ slug }))
      .update({ ...changes, updated_at: trx.fn.now() })
      .returning(LEVER_COLUMNS);
    if (!row) return null;
    await recordLever(trx, row.id, action, lever);
    return toLevers(row);
  });
}

export const pauseStore = (db: Knex, slug: string, lever: LeverPull) =>
  pull(
    db,
    slug,
    (q) => q.whereNull('paused_at'),
    { paused_at: db.fn.now(), paused_by: lever.actor, pause_reason: lever.reason },
    'pause',
    lever,
  );

export const resumeStore = (db: Knex, slug: string, lever: LeverPull) =>
  pull(
    db,
    slug,
    (q) => q.whereNotNull('paused_at'),
    { paused_at: null, paused_by: null, pause_reason: null },
    'resume',
    lever,
  );

/** `override` null goes back to the store's configured method. */
export const switchStoreMethod = (db: Knex, slug: string, override: PlacementMethod | null, lever: LeverPull) =>
  pull(db, slug, (q) => q, { method_override: override }, 'switch_method', lever);

export async function listLeverEvents(db: Knex, storeId: string, limit: number): Promise<LeverEventRecord[]> {
  const rows = await db('store_lever_events').where({ store_id: storeId }).orderBy('id', 'desc').limit(limit);
  return rows.map((row) => ({
    id: String(row.id),
    action: row.action,
    actor: row.actor,
    reason: row.reason,
    fromMethod: row.from_method,
    toMethod: row.to_method,
    createdAt: row.created_at,
  }));
}
