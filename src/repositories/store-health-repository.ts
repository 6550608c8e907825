import type { Knex } from 'knex';
import type { PlacementFailureRecord } from '../domain/placement-attempt';
import type { PlacementMethod } from '../domain/placement-method';

/** Raw counts for one store and method over a window; rates are derived in the service. */
export interface StoreMethodCounts {
  storeId: string;
  method: PlacementMethod;
  orders: number;
  /** Tries that reached a verdict (every try but a hand-off to people). */
  attempts: number;
  placed: number;
  failed: number;
  firstTries: number;
  firstTryPlaced: number;
  manual: number;
  failedRefundCents: number;
  placeSecondsP50: number | null;
  placeSecondsP95: number | null;
}

/**
 * The window's orders of every store (one range scan of orders_store_created_idx per store), joined to what
 * happened to them, each read as one range: an order's attempts and tasks all come after the order, so the
 * window's share of placement_attempts (a BRIN range on an append-only table) and of ops_tasks is aggregated once
 * and hash-joined, instead of probing per order. An order counts under the method it was first sent to, so a
 * fallback's rescue shows as that method's success after retries and its manual share; an order not tried yet
 * counts under its own method. "Failed" means given up on (a failure reason and never placed); a refund is
 * placement's when its key says so.
 */
const FIGURES_SQL = `
WITH recent AS (
  SELECT o.id, o.store_id, o.placement_method, o.created_at, o.placed_at, o.failure_reason
  FROM stores s
  -- OFFSET 0 keeps the planner from flattening this into one scan of every store's orders (no skip scan).
  CROSS JOIN LATERAL (SELECT * FROM orders o WHERE o.store_id = s.id AND o.created_at >= :since AND o.created_at <= :until OFFSET 0) o
),
tries AS (
  -- One sort by (order, attempt) gives each order's first try and, over its partition, its count of verdicts.
  SELECT DISTINCT ON (a.order_id) a.order_id, a.method AS first_method, a.outcome AS first_outcome,
         count(*) FILTER (WHERE a.outcome <> 'deferred') OVER (PARTITION BY a.order_id) AS settled_attempts
  FROM placement_attempts a
  WHERE a.created_at >= :since
  ORDER BY a.order_id, a.id
),
people AS MATERIALIZED (
  SELECT DISTINCT t.order_id FROM ops_tasks t WHERE t.created_at >= :since AND t.kind IN ('place_order', 'price_review')
),
per_order AS (
  SELECT r.store_id, COALESCE(tr.first_method, r.placement_method) AS method, r.created_at, r.placed_at, r.failure_reason,
         tr.first_outcome, COALESCE(tr.settled_attempts, 0) AS settled_attempts, p.order_id IS NOT NULL AS went_manual,
         -- Only an order given up on has a placement refund: one probe of the ledger for the few, none for the
         -- rest. (An order an ops retry then placed has its reason cleared, and its earlier refund leaves the sum.)
         CASE WHEN r.failure_reason IS NULL THEN 0 ELSE
           (SELECT COALESCE(sum(pt.amount_cents), 0) FROM payment_transactions pt
             WHERE pt.order_id = r.id AND pt.type IN ('refund', 'partial_refund') AND pt.status <> 'failed'
               AND pt.idempotency_key LIKE '%:refund:placement-failed:%') END AS failed_refund_cents
  FROM recent r
  LEFT JOIN tries tr ON tr.order_id = r.id
  LEFT JOIN people p ON p.order_id = r.id
)
SELECT store_id, method,
       count(*)::int AS orders,
       sum(settled_attempts)::int AS attempts,
       count(*) FILTER (WHERE placed_at IS NOT NULL)::int AS placed,
       count(*) FILTER (WHERE placed_at IS NULL AND failure_reason IS NOT NULL)::int AS failed,
       count(*) FILTER (WHERE first_outcome IS NOT NULL AND first_outcome <> 'deferred')::int AS first_tries,
       count(*) FILTER (WHERE first_outcome = 'placed')::int AS first_try_placed,
       count(*) FILTER (WHERE went_manual)::int AS manual,
       sum(failed_refund_cents)::bigint AS failed_refund_cents,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM placed_at - created_at))
         FILTER (WHERE placed_at IS NOT NULL) AS p50,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM placed_at - created_at))
         FILTER (WHERE placed_at IS NOT NULL) AS p95
FROM per_order
GROUP BY store_id, method`;

const roundSeconds = (value: number | null) => (value === null ? null : Math.round(Number(value) * 10) / 10);

export async function storeMethodCounts(db: Knex, since: Date, until: Date): Promise<StoreMethodCounts[]> {
  const { rows } = await db.raw(FIGURES_SQL, { since, until });
  return rows.map((row: Record<string, any>) => ({
    storeId: row.store_id,
    method: row.method,
    orders: row.orders,
    attempts: row.attempts,
    placed: row.placed,
    failed: row.failed,
    firstTries: row.first_tries,
    firstTryPlaced: row.first_try_placed,
    manual: row.manual,
    failedRefundCents: Number(row.failed_refund_cents),
    placeSecondsP50: roundSeconds(row.p50),
    placeSecondsP95: roundSeconds(row.p95),
  }));
}

/** The store's latest failed tries of orders from the window, newest first. */
export async function recentPlacementFailures(
  db: Knex,
  storeId: string,
  since: Date,
  limit: number,
): Promise<PlacementFailureRecord[]> {
  const rows = await db('orders as o')
    .join('placement_attempts as a', 'a.order_id', 'o.id')
    .where('o.store_id', storeId)
    .where('o.created_at', '>=', since)
    .whereIn('a.outcome', ['transient_error', 'permanent_error', 'price_mismatch'])
    .orderBy([
      { column: 'a.created_at', order: 'desc' },
      { column: 'a.id', order: 'desc' },
    ])
    .limit(limit)
    .select(
      'o.order_number',
      'o.status',
      'a.method',
      'a.attempt',
      'a.outcome',
      'a.error_code',
      'a.message',
      'a.details',
      'a.created_at',
    );
  return rows.map((row) => ({
    orderNumber: row.order_number,
    orderStatus: row.status,
    method: row.method,
    attempt: row.attempt,
    outcome: row.outcome,
    errorCode: row.error_code,
    message: row.message,
    details: row.details,
    createdAt: row.created_at,
  }));
}

export interface HealthBucket {
  start: Date;
  orders: number;
  placed: number;
  failed: number;
  manual: number;
}

/** The store's orders per time bucket (minute, hour or day) since `since`, for the drill-down chart. */
export async function storeHealthSeries(
  db: Knex,
  storeId: string,
  since: Date,
  bucket: 'minute' | 'hour' | 'day',
): Promise<HealthBucket[]> {
  const { rows } = await db.raw(
    `SELECT date_trunc(:bucket, o.created_at) AS start, count(*)::int AS orders,
            count(*) FILTER (WHERE o.placed_at IS NOT NULL)::int AS placed,
            count(*) FILTER (WHERE o.placed_at IS NULL AND o.failure_reason IS NOT NULL)::int AS failed,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM ops_tasks t WHERE t.order_id = o.id
                                             AND t.kind IN ('place_order', 'price_review')))::int AS manual
     FROM orders o WHERE o.store_id = :storeId AND o.created_at >= :since
     GROUP BY 1 ORDER BY 1`,
    { bucket, storeId, since },
  );
  return rows.map((row: Record<string, any>) => ({
    start: row.start,
    orders: row.orders,
    placed: row.placed,
    failed: row.failed,
    manual: row.manual,
  }));
}
