import type { Knex } from 'knex';
import type {
  CatalogChangeKind,
  CatalogChangeRecord,
  CatalogSyncRunRecord,
  CatalogSyncStatus,
  CatalogSyncTrigger,
} from '../domain/catalog-sync';

const RUN_COLUMNS = [
  'r.id',
  'r.store_id',
  'r.status',
  'r.trigger',
  'r.requested_by',
  'r.pages_read',
  'r.products_seen',
  'r.added',
  'r.price_changes',
  'r.availability_changes',
  'r.details_changes',
  'r.delisted',
  'r.retries',
  'r.error',
  'r.error_transient',
  'r.started_at',
  'r.finished_at',
  's.slug as store_slug',
  's.name as store_name',
];

const toRun = (row: Record<string, any>): CatalogSyncRunRecord => ({
  id: Number(row.id),
  storeId: row.store_id,
  storeSlug: row.store_slug,
  storeName: row.store_name,
  status: row.status,
  trigger: row.trigger,
  requestedBy: row.requested_by,
  pagesRead: row.pages_read,
  productsSeen: row.products_seen,
  added: row.added,
  priceChanges: row.price_changes,
  availabilityChanges: row.availability_changes,
  detailsChanges: row.details_changes,
  delisted: row.delisted,
  retries: row.retries,
  error: row.error,
  errorTransient: row.error_transient,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
});

export async function findRun(db: Knex, id: number): Promise<CatalogSyncRunRecord> {
  const row = await db('catalog_sync_runs as r')
    .join('stores as s', 's.id', 'r.store_id')
    .where('r.id', id)
    .first(RUN_COLUMNS);
  return toRun(row);
}

/**
 * Starts a run for the store, or answers null when one is already running. A run whose lease has ended (its process
 * died) is closed as failed first, so a crash never blocks the store's syncs for good.
 */
export async function claimRun(
  db: Knex,
  run: { storeId: string; trigger: CatalogSyncTrigger; requestedBy: string | null; now: Date; leaseMs: number },
): Promise<number | null> {
  await db('catalog_sync_runs')
    .where({ store_id: run.storeId, status: 'running' })
    .where('lease_expires_at', '<', run.now)
    .update({
      status: 'failed',
      error: 'abandoned: its process stopped before finishing',
      error_transient: true,
      finished_at: run.now,
    });
  const { rows } = await db.raw(
    `INSERT INTO catalog_sync_runs (store_id, trigger, requested_by, started_at, lease_expires_at)
     VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (store_id) WHERE status = 'running' DO NOTHING
     RETURNING id`,
    [run.storeId, run.trigger, run.requestedBy, run.now, new Date(run.now.getTime() + run.leaseMs)],
  );
  const row = rows[0];
  return row ? Number(row.id) : null;
}

export async function failRun(
  db: Knex,
  id: number,
  failure: { error: string; transient: boolean; retries: number; pagesRead: number; productsSeen: number; now: Date },
): Promise<void> {
  await db('catalog_sync_runs').where({ id, status: 'running' }).update({
    status: 'failed',
    error: failure.error,
    error_transient: failure.transient,
    retries: failure.retries,
    pages_read: failure.pagesRead,
    products_seen: failure.productsSeen,
    finished_at: failure.now,
  });
}

/** The store's listed products: how many the retailer lists today, as far as the catalog knows. */
export async function countListedProducts(db: Knex, storeId: string): Promise<number> {
  const [{ n }] = await db('products')
    .where({ store_id: storeId })
    .whereNull('delisted_at')
    .count<{ n: number }[]>({ n: '*' });
  return n;
}

/** The most recent run of each store, for the scheduler, with how many runs in a row have failed. */
export async function latestRuns(
  db: Knex,
): Promise<
  Map<string, { status: CatalogSyncStatus; startedAt: Date; errorTransient: boolean | null; failuresInARow: number }>
> {
  const { rows } = await db.raw(`
    SELECT DISTINCT ON (r.store_id) r.store_id, r.status, r.started_at, r.error_transient,
      (SELECT count(*) FROM catalog_sync_runs f
        WHERE f.store_id = r.store_id AND f.status = 'failed'
          AND f.id > coalesce((SELECT max(ok.id) FROM catalog_sync_runs ok WHERE ok.store_id = r.store_id AND ok.status = 'succeeded'), 0)
      ) AS failures_in_a_row
    FROM catalog_sync_runs r
    ORDER BY r.store_id, r.id DESC`);
  return new Map(
    rows.map((row: Record<string, any>) => [
      row.store_id,
      {
        status: row.status,
        startedAt: row.started_at,
        errorTransient: row.error_transient,
        failuresInARow: Number(row.failures_in_a_row),
      },
    ]),
  );
}

export async function listRuns(db: Knex, filter: { storeSlug?: string }, page: { limit: number; offset: number }) {
  const base = () => {
    const query = db('catalog_sync_runs as r').join('stores as s', 's.id', 'r.store_id');
    if (filter.storeSlug !== undefined) query.where('s.slug', filter.storeSlug);
    return query;
  };
  const [rows, [{ total }]] = await Promise.all([
    base().select(RUN_COLUMNS).orderBy('r.id', 'desc').limit(page.limit).offset(page.offset),
    base().count<{ total: number }[]>({ total: '*' }),
  ]);
  return { runs: rows.map(toRun), total };
}

export async function listChanges(
  db: Knex,
  filter: { storeSlug?: string; kind?: CatalogChangeKind; runId?: number },
  page: { limit: number; offset: number },
) {
  const base = () => {
    const query = db('catalog_changes as c').join('stores as s', 's.id', 'c.store_id');
    if (filter.storeSlug !== undefined) query.where('s.slug', filter.storeSlug);
    if (filter.kind !== undefined) query.where('c.kind', filter.kind);
    if (filter.runId !== undefined) query.where('c.run_id', filter.runId);
    return query;
  };
  const [rows, [{ total }]] = await Promise.all([
    base()
      .select(
        'c.id',
        'c.run_id',
        'c.product_id',
        'c.sku',
        'c.name',
        'c.kind',
        'c.old_price_cents',
        'c.new_price_cents',
        'c.created_at',
        's.slug as store_slug',
        's.name as store_name',
        's.currency as store_currency',
      )
      .orderBy('c.id', 'desc')
      .limit(page.limit)
      .offset(page.offset),
    base().count<{ total: number }[]>({ total: '*' }),
  ]);
  const changes: CatalogChangeRecord[] = rows.map((row: Record<string, any>) => ({
    id: Number(row.id),
    runId: Number(row.run_id),
    storeSlug: row.store_slug,
    storeName: row.store_name,
    currency: row.store_currency,
    productId: row.product_id,
    sku: row.sku,
    name: row.name,
    kind: row.kind,
    oldPriceCents: row.old_price_cents,
    newPriceCents: row.new_price_cents,
    createdAt: row.created_at,
  }));
  return { changes, total };
}
