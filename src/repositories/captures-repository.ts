import type { Knex } from 'knex';
import { UNSETTLED_STATUSES, type OrderStatus } from '../domain/order-status';
import { SESSION_OUTCOMES } from '../domain/session-status';
import { sqlLiterals } from './sql-literals';

/** What capturing a checkout reads of its session, locked. */
export interface CaptureSubject {
  id: string;
  currency: string;
  totalCents: number;
  paymentIntentId: string;
  /** Null once nothing is left to capture: charged at place, or the capture / void is recorded. */
  captureDueAt: Date | null;
}

export interface CaptureShare {
  id: string;
  status: OrderStatus;
  totalCents: number;
}

/**
 * Locks the session's row for the capture decision. FOR NO KEY UPDATE, not FOR UPDATE: a refund row written meanwhile
 * by an order's move takes a key-share lock on the session through its foreign key, and must not wait for this.
 */
export async function lockSessionForCapture(trx: Knex.Transaction, sessionId: string): Promise<CaptureSubject | null> {
  const row = await trx('checkout_sessions')
    .where({ id: sessionId })
    .forNoKeyUpdate()
    .first('id', 'currency', 'total_cents', 'payment_intent_id', 'capture_due_at');
  if (!row) return null;
  return {
    id: row.id,
    currency: row.currency,
    totalCents: row.total_cents,
    paymentIntentId: row.payment_intent_id,
    captureDueAt: row.capture_due_at,
  };
}

/**
 * Locks every order of the session (in one order, so two lockers never deadlock) and reads its status: a move of
 * any of them waits for the capture decision, and the decision waits for a move already under way.
 */
export async function lockOrdersForCapture(trx: Knex.Transaction, sessionId: string): Promise<CaptureShare[]> {
  const rows = await trx('orders')
    .where({ checkout_session_id: sessionId })
    .orderBy('id')
    .forNoKeyUpdate()
    .select('id', 'status', 'total_cents');
  return rows.map((row) => ({ id: row.id, status: row.status, totalCents: row.total_cents }));
}

/** Records what the capture takes for each order: its total, or 0 for those in `released` (failed, cancelled). */
export async function recordCapturedShares(
  trx: Knex.Transaction,
  sessionId: string,
  released: readonly OrderStatus[],
): Promise<void> {
  await trx.raw(
    `UPDATE orders SET captured_cents = CASE WHEN status = ANY(?::text[]) THEN 0 ELSE total_cents END WHERE checkout_session_id = ?`,
    [[...released], sessionId],
  );
}

/** The capture did not go through: nothing of any order was taken. */
export async function releaseCapturedShares(trx: Knex.Transaction, sessionId: string): Promise<void> {
  await trx('orders').where({ checkout_session_id: sessionId }).update({ captured_cents: 0 });
}

/** The capture (or void) is recorded: the sweep no longer needs to look at the session. */
export async function clearCaptureDue(trx: Knex.Transaction, sessionId: string): Promise<void> {
  await trx('checkout_sessions').where({ id: sessionId }).update({ capture_due_at: null });
}

/**
 * What of the order's total the shopper has paid: all of it when the checkout was charged at place, the order's
 * share of the capture when it was authorized and captured (0 if it had failed or been cancelled by then), and
 * null while the authorization is not captured yet (the money is only held).
 */
export async function takenCents(db: Knex, orderId: string): Promise<number | null> {
  const row = await db('orders as o')
    .where('o.id', orderId)
    .first(
      'o.total_cents',
      'o.captured_cents',
      db.raw(
        `EXISTS (SELECT 1 FROM payment_transactions t
                 WHERE t.checkout_session_id = o.checkout_session_id AND t.type = 'charge' AND t.status = 'succeeded') AS charged`,
      ),
    );
  if (row.charged) return row.total_cents;
  return row.captured_cents;
}

/**
 * Sessions whose authorization is due for capture: those whose deadline has come (`deadline`, orders still being
 * placed or not), and settled ones whose capture was lost after the settle (settled before `settledBefore`, no
 * order back in placement). Earliest deadline first.
 */
export async function listCapturesDue(
  db: Knex,
  cutoffs: { deadline: Date; settledBefore: Date },
  limit: number,
): Promise<{ id: string; captureDueAt: Date }[]> {
  const { rows } = await db.raw(
    `SELECT cs.id, cs.capture_due_at FROM checkout_sessions cs
     WHERE cs.capture_due_at IS NOT NULL
       AND (cs.capture_due_at <= ?
            OR (cs.status IN (${sqlLiterals(SESSION_OUTCOMES)}) AND cs.updated_at < ?
                AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.checkout_session_id = cs.id AND o.status IN (${sqlLiterals(UNSETTLED_STATUSES)}))))
     ORDER BY cs.capture_due_at
     LIMIT ?`,
    [cutoffs.deadline, cutoffs.settledBefore, limit],
  );
  return rows.map((row: { id: string; capture_due_at: Date }) => ({ id: row.id, captureDueAt: row.capture_due_at }));
}
