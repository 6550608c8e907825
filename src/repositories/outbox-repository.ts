import type { Knex } from 'knex';
import { hotQuery } from '../db/hot-query';

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
 * The oldest events not fanned out yet, or null when another dispatcher holds the turn: the turn and the events in
 * one round trip. Call it inside the transaction that fans them out: the lock is held until it ends.
 */
export async function takeUndispatched(trx: Knex.Transaction, limit: number): Promise<OutboxEventRecord[] | null> {
  const { rows } = await hotQuery(
    trx,
    'outbox.take_undispatched',
    `WITH turn AS (SELECT pg_try_advisory_xact_lock(?) AS ok)
       SELECT turn.ok, e.seq, e.event_id, e.type, e.checkout_session_id, e.order_id, e.data, e.created_at
       FROM turn LEFT JOIN LATERAL (
         SELECT * FROM outbox_events WHERE turn.ok AND dispatched_at IS NULL ORDER BY seq LIMIT ?
       ) e ON true
       ORDER BY e.seq`,
    [DISPATCH_LOCK, limit],
  );
  if (!rows[0]?.ok) return null;
  return rows
    .filter((row: Record<string, any>) => row.seq !== null)
    .map((row: Record<string, any>) => ({
      seq: String(row.seq),
      eventId: row.event_id,
      type: row.type,
      checkoutSessionId: row.checkout_session_id,
      orderId: row.order_id,
      data: row.data,
      createdAt: row.created_at,
    }));
}

/** An event as the dispatcher fanned it out: its fixed body, and the shopper's mail if it has one. */
export interface FannedOutEvent {
  seq: string;
  body: string;
  mail: { template: string; to: string; subject: string; text: string; html: string } | null;
}

/**
 * One statement for a batch of events: fixes each event's body (every endpoint and redelivery sends these bytes)
 * and marks it fanned out; writes one delivery per endpoint that subscribes to its type (or to `*`) and its mail.
 * A disabled endpoint gets its deliveries too: they wait, pending, until ops enable it. Deliveries and mails are
 * numbered in seq order, as they were when written one event at a time. Returns the new deliveries' and mails' ids.
 */
export async function recordFannedOut(
  trx: Knex.Transaction,
  events: FannedOutEvent[],
  now: Date,
): Promise<{ deliveries: string[]; emails: string[] }> {
  if (events.length === 0) return { deliveries: [], emails: [] };
  const { rows } = await hotQuery(
    trx,
    'outbox.record_fanned_out',
    `WITH x AS (
         SELECT * FROM jsonb_to_recordset(?::jsonb) AS x(seq bigint, body text, template text, to_address text, subject text,
                                                          text_body text, html_body text)
       ), marked AS (
         UPDATE outbox_events o SET body = x.body, dispatched_at = ? FROM x WHERE o.seq = x.seq
         RETURNING o.seq, o.type, o.checkout_session_id
       ), deliveries AS (
         INSERT INTO webhook_deliveries (endpoint_id, event_seq, ordering_key)
         SELECT w.id, m.seq, m.checkout_session_id
         FROM (SELECT * FROM marked ORDER BY seq) m JOIN webhook_endpoints w ON m.type = ANY(w.event_types) OR '*' = ANY(w.event_types)
         ORDER BY m.seq, w.created_at, w.id
         ON CONFLICT (endpoint_id, event_seq) DO NOTHING
         RETURNING id
       ), emails AS (
         INSERT INTO email_deliveries (event_seq, template, to_address, subject, text_body, html_body)
         SELECT x.seq, x.template, x.to_address, x.subject, x.text_body, x.html_body FROM x WHERE x.template IS NOT NULL ORDER BY x.seq
         ON CONFLICT (event_seq) DO NOTHING
         RETURNING id
       )
       SELECT 'webhook' AS kind, id FROM deliveries UNION ALL SELECT 'email', id FROM emails ORDER BY kind DESC, id`,
    [
      JSON.stringify(
        events.map((event) => ({
          seq: event.seq,
          body: event.body,
          template: event.mail?.template ?? null,
          to_address: event.mail?.to ?? null,
          subject: event.mail?.subject ?? null,
          text_body: event.mail?.text ?? null,
          html_body: event.mail?.html ?? null,
        })),
      ),
      now,
    ],
  );
  const ids = (kind: string) => rows.filter((row) => row.kind === kind).map((row) => String(row.id));
  return { deliveries: ids('webhook'), emails: ids('email') };
}
