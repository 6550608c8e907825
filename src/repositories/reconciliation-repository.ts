import type { Knex } from 'knex';
import type { ReconciliationRun } from '../domain/reconciliation';
import type { PaymentTransactionRecord } from './payment-transactions-repository';

/** What reconciliation reads of the ledger (in a few batched queries), and its runs. */

export interface LedgerMovement {
  checkoutSessionId: string;
  orderId: string | null;
  type: PaymentTransactionRecord['type'];
  status: PaymentTransactionRecord['status'];
  amountCents: number;
  stripePaymentIntentId: string | null;
  stripeRefundId: string | null;
  idempotencyKey: string;
  createdAt: Date;
}

const toMovement = (row: Record<string, any>): LedgerMovement => ({
  checkoutSessionId: row.checkout_session_id,
  orderId: row.order_id,
  type: row.type,
  status: row.status,
  amountCents: row.amount_cents,
  stripePaymentIntentId: row.stripe_payment_intent_id,
  stripeRefundId: row.stripe_refund_id,
  idempotencyKey: row.idempotency_key,
  createdAt: row.created_at,
});

const COLUMNS = [
  'checkout_session_id',
  'order_id',
  'type',
  'status',
  'amount_cents',
  'stripe_payment_intent_id',
  'stripe_refund_id',
  'idempotency_key',
  'created_at',
];
const PAYMENT_TYPES = ['charge', 'authorization', 'capture', 'void'];
const REFUND_TYPES = ['refund', 'partial_refund'];

/** The checkouts that name these PaymentIntents, by intent. */
export async function sessionsByPaymentIntent(
  db: Knex,
  paymentIntentIds: readonly string[],
): Promise<Map<string, string>> {
  if (paymentIntentIds.length === 0) return new Map();
  const rows = await db('checkout_sessions')
    .whereRaw('payment_intent_id = ANY(?::text[])', [[...paymentIntentIds]])
    .select('id', 'payment_intent_id');
  return new Map(rows.map((row) => [row.payment_intent_id, row.id]));
}

/** Charges, authorizations, captures and voids of these PaymentIntents. */
export async function paymentMovements(db: Knex, paymentIntentIds: readonly string[]): Promise<LedgerMovement[]> {
  if (paymentIntentIds.length === 0) return [];
  const rows = await db('payment_transactions')
    .whereRaw('stripe_payment_intent_id = ANY(?::text[])', [[...paymentIntentIds]])
    .whereIn('type', PAYMENT_TYPES)
    .select(COLUMNS);
  return rows.map(toMovement);
}

/** Payment movements the ledger recorded in the period that name an intent outside `known`. */
export async function paymentMovementsRecordedIn(db: Knex, since: Date, until: Date): Promise<LedgerMovement[]> {
  const rows = await db('payment_transactions')
    .where('created_at', '>=', since)
    .where('created_at', '<', until)
    .whereIn('type', PAYMENT_TYPES)
    .where({ status: 'succeeded' })
    .whereNotNull('stripe_payment_intent_id')
    .select(COLUMNS);
  return rows.map(toMovement);
}

/** Refund rows by provider refund id, and those of our refunds whose id is not recorded yet, by their key. */
export async function refundMovements(
  db: Knex,
  refundIds: readonly string[],
  keys: readonly string[],
): Promise<LedgerMovement[]> {
  if (refundIds.length === 0 && keys.length === 0) return [];
  const rows = await db('payment_transactions')
    .whereIn('type', REFUND_TYPES)
    .where((query) => {
      query
        .whereRaw('stripe_refund_id = ANY(?::text[])', [[...refundIds]])
        .orWhereRaw('idempotency_key = ANY(?::text[])', [[...keys]]);
    })
    .select(COLUMNS);
  return rows.map(toMovement);
}

/** Refund rows recorded in the period that reached the provider (they carry its id) or claim to have succeeded. */
export async function refundMovementsRecordedIn(db: Knex, since: Date, until: Date): Promise<LedgerMovement[]> {
  const rows = await db('payment_transactions')
    .where('created_at', '>=', since)
    .where('created_at', '<', until)
    .whereIn('type', REFUND_TYPES)
    .where((query) => query.whereNotNull('stripe_refund_id').orWhere({ status: 'succeeded' }))
    .select(COLUMNS);
  return rows.map(toMovement);
}

export interface OrderBalance {
  checkoutSessionId: string;
  orderNumber: string;
  /** What the order took: its total when charged at place, its share of the capture, 0 before a capture. */
  takenCents: number;
  /** Refunds pending or succeeded. */
  refundedCents: number;
}

/** Each order of these checkouts with what it took and what refunds gave back, as the ledger says. */
export async function orderBalances(db: Knex, sessionIds: readonly string[]): Promise<OrderBalance[]> {
  if (sessionIds.length === 0) return [];
  const { rows } = await db.raw(
    `WITH charged AS (
       SELECT DISTINCT checkout_session_id FROM payment_transactions
       WHERE checkout_session_id = ANY(?::text[]) AND type = 'charge' AND status = 'succeeded'
     ), refunded AS (
       SELECT order_id, sum(amount_cents)::bigint AS cents FROM payment_transactions
       WHERE checkout_session_id = ANY(?::text[]) AND type IN ('refund', 'partial_refund') AND status IN ('pending', 'succeeded')
       GROUP BY order_id
     )
     SELECT o.checkout_session_id, o.order_number,
            CASE WHEN c.checkout_session_id IS NOT NULL THEN o.total_cents ELSE COALESCE(o.captured_cents, 0) END AS taken_cents,
            COALESCE(r.cents, 0) AS refunded_cents
     FROM orders o
     LEFT JOIN charged c ON c.checkout_session_id = o.checkout_session_id
     LEFT JOIN refunded r ON r.order_id = o.id
     WHERE o.checkout_session_id = ANY(?::text[])
     ORDER BY o.checkout_session_id, o.order_number`,
    [[...sessionIds], [...sessionIds], [...sessionIds]],
  );
  return rows.map((row: any) => ({
    checkoutSessionId: row.checkout_session_id,
    orderNumber: row.order_number,
    takenCents: Number(row.taken_cents),
    refundedCents: Number(row.refunded_cents),
  }));
}

const toRun = (row: Record<string, any>): ReconciliationRun => ({
  id: String(row.id),
  periodStart: row.period_start,
  periodEnd: row.period_end,
  trigger: row.trigger,
  status: row.status,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  driftCount: row.drift_count,
  report: row.report,
  driftByKind: row.report?.driftByKind ?? null,
  error: row.error,
});

/**
 * Claims a run. A daily run is claimed once per day across every instance; one left `running` by a dead process
 * (started before `staleBefore`) or one that failed before then is taken over (a failing Stripe is not asked again
 * every maintenance tick). Null: another instance has it, or it is done.
 */
export async function claimRun(
  db: Knex,
  run: { periodStart: Date; periodEnd: Date; trigger: 'daily' | 'manual' },
  now: Date,
  staleBefore: Date,
): Promise<ReconciliationRun | null> {
  const values = {
    period_start: run.periodStart,
    period_end: run.periodEnd,
    trigger: run.trigger,
    status: 'running',
    started_at: now,
  };
  if (run.trigger === 'manual') return toRun((await db('reconciliation_runs').insert(values).returning('*'))[0]);
  const { rows } = await db.raw(
    `INSERT INTO reconciliation_runs (period_start, period_end, trigger, status, started_at) VALUES (?, ?, 'daily', 'running', ?)
     ON CONFLICT (period_start) WHERE trigger = 'daily' DO UPDATE
       SET status = 'running', started_at = EXCLUDED.started_at, finished_at = NULL, error = NULL
       WHERE (reconciliation_runs.status = 'failed' AND reconciliation_runs.finished_at < ?)
          OR (reconciliation_runs.status = 'running' AND reconciliation_runs.started_at < ?)
     RETURNING *`,
    [run.periodStart, run.periodEnd, now, staleBefore, staleBefore],
  );
  return rows[0] ? toRun(rows[0]) : null;
}

export async function finishRun(
  db: Knex,
  id: string,
  result: { driftCount: number; report: unknown },
  now: Date,
): Promise<void> {
  await db('reconciliation_runs')
    .where({ id })
    .update({
      status: 'finished',
      finished_at: now,
      drift_count: result.driftCount,
      report: JSON.stringify(result.report),
    });
}

export async function failRun(db: Knex, id: string, error: string, now: Date): Promise<void> {
  await db('reconciliation_runs')
    .where({ id })
    .update({ status: 'failed', finished_at: now, error: error.slice(0, 2000) });
}

/** The most recent runs, newest first, with their drift by kind but not their reports (one can be large). */
export async function listRuns(db: Knex, limit: number, offset: number): Promise<ReconciliationRun[]> {
  const rows = await db('reconciliation_runs')
    .orderBy([
      { column: 'started_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(limit)
    .offset(offset)
    .select(
      'id',
      'period_start',
      'period_end',
      'trigger',
      'status',
      'started_at',
      'finished_at',
      'drift_count',
      'error',
      db.raw(`report -> 'driftByKind' AS drift_by_kind`),
    );
  return rows.map((row) => ({ ...toRun(row), report: null, driftByKind: row.drift_by_kind ?? null }));
}

export async function countRuns(db: Knex): Promise<number> {
  const row = await db('reconciliation_runs').first(db.raw('count(*)::int AS n'));
  return row?.n ?? 0;
}

export async function findRun(db: Knex, id: string): Promise<ReconciliationRun | null> {
  const row = await db('reconciliation_runs').where({ id }).first();
  return row ? toRun(row) : null;
}

/** The newest finished run, for the drift metric. */
export async function latestFinishedRun(db: Knex): Promise<ReconciliationRun | null> {
  const row = await db('reconciliation_runs').where({ status: 'finished' }).orderBy('finished_at', 'desc').first();
  return row ? toRun(row) : null;
}
