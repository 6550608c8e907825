import type { Knex } from 'knex';

export interface OutboxEventRecord {
  seq: string;
  eventId: string;
  type: string;
  checkoutSessionId: string;
  orderId: string | null;
  /** The changed rows as they were when the event was written (snake_case columns, timestamps as ISO strings). */
  data: Record<string, any>;
  createdAt: Date;
}

/** Any fixed number: the key of the advisory lock that lets one dispatcher at a time fan events out, in seq order. */
const DISPATCH_LOCK = 7_140_001;

/**
 * The oldest events not fanned out yet, or null when another dispatcher holds the turn. Call it inside the
 * transaction that fans them out: the lock is held until it ends.
 */
export async function takeUndispatched(trx: Knex.Transaction, limit: number): Promise<OutboxEventRecord[] | null> {
  const { rows: locked } = await trx.raw('SELECT pg_try_advisory_xact_lock(?) AS ok', [DISPATCH_LOCK]);
  if (!locked[0].ok) return null;
  const rows = await trx('outbox_events').whereNull('dispatched_at').orderBy('seq').limit(limit);
  return rows.map((row) => ({
    seq: String(row.seq),
    eventId: row.event_id,
    type: row.type,
    checkoutSessionId: row.checkout_session_id,
    orderId: row.order_id,
    data: row.data,
    createdAt: row.created_at,
  }));
}

/** Fixes the event's body (every endpoint and redelivery sends these bytes) and marks it fanned out. */
export async function markDispatched(trx: Knex.Transaction, seq: string, body: string, now: Date): Promise<void> {
  await trx('outbox_events').where({ seq }).update({ body, dispatched_at: now });
}

/**
 * One delivery per endpoint that subscribes to the event's type (or to `*`). Returns their ids. A disabled endpoint
 * gets its deliveries too: they wait, pending, until ops enable it.
 */
export async function insertDeliveries(
  trx: Knex.Transaction,
  event: Pick<OutboxEventRecord, 'seq' | 'type' | 'checkoutSessionId'>,
): Promise<string[]> {
  const { rows } = await trx.raw(
    `INSERT INTO webhook_deliveries (endpoint_id, event_seq, ordering_key)
     SELECT w.id, ?, ? FROM webhook_endpoints w
     WHERE ?::text = ANY(w.event_types) OR '*' = ANY(w.event_types)
     ON CONFLICT (endpoint_id, event_seq) DO NOTHING
     RETURNING id`,
    [event.seq, event.checkoutSessionId, event.type],
  );
  return rows.map((row: { id: string }) => String(row.id));
}
