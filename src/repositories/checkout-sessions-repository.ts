import type { Knex } from 'knex';
import { hotQuery } from '../db/hot-query';
import { prepared } from '../db/prepared';
import type { ShippingAddress } from '../domain/address';
import type { CartSnapshot } from '../domain/cart-snapshot';
import type { CheckoutSessionRecord } from '../domain/checkout-session';
import { EARLIER_PAYMENT_STATUSES, sessionMove } from '../domain/session-status';
import { SESSION_COLUMNS, snapshotColumns, toSession } from './checkout-session-rows';

/** A checkout session's life up to payment: its edits, the gate into payment and its lease, cancel, earlier payments. */

// Every status move this repository makes, checked against SESSION_TRANSITIONS when the module loads.
const PLACE = sessionMove('pending', 'processing');
const RELEASE = sessionMove('processing', 'pending');
const CANCEL = sessionMove('pending', 'cancelled');
const SESSION_COLUMN_LIST = SESSION_COLUMNS.join(', ');

export async function insertSession(
  db: Knex,
  session: { id: string; userId: string; snapshot: CartSnapshot; expiresAt: Date; now: Date },
): Promise<CheckoutSessionRecord> {
  const columns = {
    id: session.id,
    user_id: session.userId,
    ...snapshotColumns(session.snapshot),
    expires_at: session.expiresAt,
    created_at: session.now,
    updated_at: session.now,
  };
  const {
    rows: [row],
  } = await hotQuery(
    db,
    'checkout_sessions.insert',
    `INSERT INTO checkout_sessions (${Object.keys(columns).join(', ')}) VALUES (${Object.keys(columns)
      .map(() => '?')
      .join(', ')})
     RETURNING ${SESSION_COLUMN_LIST}`,
    Object.values(columns),
  );
  return toSession(row);
}

export async function findSession(db: Knex, id: string): Promise<CheckoutSessionRecord | null> {
  const {
    rows: [row],
  } = await hotQuery(
    db,
    'checkout_sessions.find',
    `SELECT ${SESSION_COLUMN_LIST} FROM checkout_sessions WHERE id = ? LIMIT 1`,
    [id],
  );
  return row ? toSession(row) : null;
}

export interface PendingSessionChanges {
  snapshot?: CartSnapshot;
  shippingAddress?: ShippingAddress;
  paymentMethodId?: string;
}

/**
 * What the caller knows of the session's earlier PaymentIntent (one awaiting 3-D Secure). The change applies only
 * while the session still holds exactly `seen` (null: none), so a PaymentIntent that a concurrent place left on the
 * session is never silently dropped; `forget` clears it, for a caller that has made sure it can no longer take money.
 */
export interface EarlierPaymentGuard {
  seen: string | null;
  forget: boolean;
}

/** Changes an unplaced, unexpired session of this user. Returns null when there is no such session. */
export async function updatePendingSession(
  db: Knex,
  id: string,
  userId: string,
  now: Date,
  changes: PendingSessionChanges,
  earlier: EarlierPaymentGuard = { seen: null, forget: false },
): Promise<CheckoutSessionRecord | null> {
  // The statement's shape is which of the changes are present: a small, fixed set of prepared variants.
  const shape = [
    changes.snapshot ? 'snapshot' : '',
    changes.shippingAddress ? 'address' : '',
    changes.paymentMethodId ? 'payment' : '',
    earlier.forget ? 'forget' : '',
  ]
    .filter(Boolean)
    .join('+');
  const changed = {
    ...(changes.snapshot ? snapshotColumns(changes.snapshot) : {}),
    ...(changes.shippingAddress ? { shipping_address: JSON.stringify(changes.shippingAddress) } : {}),
    ...(changes.paymentMethodId ? { payment_method_id: changes.paymentMethodId } : {}),
    ...(earlier.forget ? { payment_intent_id: null } : {}),
    updated_at: now,
  };
  const {
    rows: [row],
  } = await hotQuery(
    db,
    `checkout_sessions.update:${shape}`,
    `UPDATE checkout_sessions SET ${Object.keys(changed)
      .map((column) => `${column} = ?`)
      .join(', ')}
     WHERE id = ? AND user_id = ? AND status = 'pending' AND expires_at > ? AND payment_intent_id IS NOT DISTINCT FROM ?::text
     RETURNING ${SESSION_COLUMN_LIST}`,
    [...Object.values(changed), id, userId, now, earlier.seen],
  );
  return row ? toSession(row) : null;
}

/**
 * The single gate into payment: pending → processing, with a fresh attempt number and a lease. Only one
 * caller can win it; the attempt number keys the payment provider's idempotency. Only the owner's session,
 * unexpired and with an address and a payment method, passes; null otherwise.
 */
export async function beginPlacement(
  db: Knex,
  id: string,
  userId: string,
  idempotencyKey: string,
  now: Date,
  leaseUntil: Date,
): Promise<CheckoutSessionRecord | null> {
  const {
    rows: [row],
  } = await hotQuery(
    db,
    'checkout_sessions.begin_placement',
    `UPDATE checkout_sessions
     SET status = '${PLACE.to}', payment_attempt = payment_attempt + 1, attempt_started_at = ?, place_idempotency_key = ?,
         lease_expires_at = ?, updated_at = ?
     WHERE id = ? AND user_id = ? AND status = '${PLACE.from}' AND expires_at > ? AND shipping_address IS NOT NULL
       AND payment_method_id IS NOT NULL
     RETURNING ${SESSION_COLUMN_LIST}`,
    [now, idempotencyKey, leaseUntil, now, id, userId, now],
  );
  return row ? toSession(row) : null;
}

/** Takes over a processing session whose holder's lease ran out (it crashed or hung). Same attempt. */
export async function reclaimPlacement(
  db: Knex,
  id: string,
  now: Date,
  leaseUntil: Date,
): Promise<CheckoutSessionRecord | null> {
  const [row] = await prepared(
    'checkout_sessions.reclaim_placement',
    db('checkout_sessions')
      .where({ id, status: 'processing' })
      .where('lease_expires_at', '<=', now)
      .update({ lease_expires_at: leaseUntil, updated_at: now })
      .returning(SESSION_COLUMNS),
  );
  return row ? toSession(row) : null;
}

/** The payment did not go through (declined, needs 3-D Secure): the session is payable again. */
export async function releasePlacement(
  db: Knex,
  id: string,
  attempt: number,
  now: Date,
  paymentIntentId: string | null,
): Promise<void> {
  await prepared(
    'checkout_sessions.release_placement',
    db('checkout_sessions')
      .where({ id, status: RELEASE.from, payment_attempt: attempt })
      .update({ status: RELEASE.to, lease_expires_at: null, payment_intent_id: paymentIntentId, updated_at: now }),
  );
}

/**
 * Cancels a pending session that still holds exactly the earlier PaymentIntent `seen` (null: none); the caller has
 * made sure that one can no longer take money, so the cancelled session forgets it. Null when there is no such session.
 */
export async function cancelPendingSession(
  db: Knex,
  id: string,
  seen: string | null,
  now: Date,
): Promise<CheckoutSessionRecord | null> {
  const [row] = await db('checkout_sessions')
    .where({ id, status: CANCEL.from })
    .whereRaw('payment_intent_id IS NOT DISTINCT FROM ?::text', [seen])
    .update({ status: CANCEL.to, payment_intent_id: null, updated_at: now })
    .returning(SESSION_COLUMNS);
  return row ? toSession(row) : null;
}

/**
 * Pending or cancelled sessions still holding a PaymentIntent from an earlier place, untouched since `olderThan`:
 * the shopper may have paid it (finished 3-D Secure) and never come back. A cancelled one whose payment has already
 * been refunded in full is done.
 */
export async function listSessionsWithEarlierPayment(
  db: Knex,
  olderThan: Date,
  limit: number,
): Promise<CheckoutSessionRecord[]> {
  const rows = await db('checkout_sessions as cs')
    .whereIn('cs.status', EARLIER_PAYMENT_STATUSES)
    .whereNotNull('cs.payment_intent_id')
    .where('cs.updated_at', '<=', olderThan)
    .whereNotExists(
      db('payment_transactions as t')
        .whereRaw('t.checkout_session_id = cs.id')
        .whereRaw('t.stripe_payment_intent_id = cs.payment_intent_id')
        .where('t.type', 'refund'),
    )
    .orderBy('cs.updated_at')
    .limit(limit)
    .select(SESSION_COLUMNS.map((column) => `cs.${column}`));
  return rows.map(toSession);
}

/**
 * Takes a pending session (expired or not) whose earlier PaymentIntent `paymentIntentId` the shopper has paid, into
 * processing with a fresh attempt, so the place can finish with that payment. The place's Idempotency-Key becomes
 * `idempotencyKey` when given (the shopper's own place), else stays the last one (a sweep).
 */
export async function claimPaidSession(
  db: Knex,
  id: string,
  paymentIntentId: string,
  idempotencyKey: string | null,
  now: Date,
  leaseUntil: Date,
): Promise<CheckoutSessionRecord | null> {
  const [row] = await db('checkout_sessions')
    .where({ id, status: PLACE.from, payment_intent_id: paymentIntentId })
    .whereNotNull('shipping_address')
    .whereNotNull('payment_method_id')
    .update({
      status: PLACE.to,
      payment_attempt: db.raw('payment_attempt + 1'),
      attempt_started_at: now,
      place_idempotency_key: db.raw('COALESCE(?::text, place_idempotency_key)', [idempotencyKey]),
      lease_expires_at: leaseUntil,
      updated_at: now,
    })
    .returning(SESSION_COLUMNS);
  return row ? toSession(row) : null;
}

/** An expired or cancelled session lets go of an earlier PaymentIntent that the caller made sure can no longer take money. */
export async function forgetEarlierPayment(db: Knex, id: string, paymentIntentId: string, now: Date): Promise<boolean> {
  const updated = await db('checkout_sessions')
    .where({ id, payment_intent_id: paymentIntentId })
    .whereIn('status', EARLIER_PAYMENT_STATUSES)
    .update({ payment_intent_id: null, updated_at: now });
  return updated === 1;
}

/**
 * Processing sessions whose holder's lease ran out, for recovery: those whose attempt began after `startedAfter`
 * (`resumable`), and the ids of some older ones (`tooOld`), whose charge must not be repeated blind.
 */
export async function listStaleProcessingSessions(
  db: Knex,
  now: Date,
  startedAfter: Date,
  limit: number,
): Promise<{ resumable: CheckoutSessionRecord[]; tooOld: string[] }> {
  const stale = () => db('checkout_sessions').where({ status: 'processing' }).where('lease_expires_at', '<=', now);
  const [rows, old] = await Promise.all([
    stale()
      .where((q) => q.whereNull('attempt_started_at').orWhere('attempt_started_at', '>', startedAfter))
      .orderBy('lease_expires_at')
      .limit(limit)
      .select(SESSION_COLUMNS),
    stale().where('attempt_started_at', '<=', startedAfter).orderBy('lease_expires_at').limit(20).pluck('id'),
  ]);
  return { resumable: rows.map(toSession), tooOld: old };
}

/** Ends the current holder's lease now, so the next try may take over this attempt immediately. */
export async function expireLease(db: Knex, id: string, attempt: number, now: Date): Promise<void> {
  await db('checkout_sessions')
    .where({ id, status: 'processing', payment_attempt: attempt })
    .update({ lease_expires_at: now, updated_at: now });
}

export async function findSessionsByIds(db: Knex, ids: readonly string[]): Promise<CheckoutSessionRecord[]> {
  if (ids.length === 0) return [];
  const rows = await db('checkout_sessions').whereIn('id', ids).select(SESSION_COLUMNS);
  return rows.map(toSession);
}
