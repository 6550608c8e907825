import type { Knex } from 'knex';
import { prepared } from '../db/prepared';
import type { ShippingAddress } from '../domain/address';
import type { CartSnapshot } from '../domain/cart-snapshot';

export type StoredSessionStatus = 'pending' | 'processing' | 'placed' | 'completed' | 'partially_failed' | 'failed' | 'cancelled';

export interface CheckoutSessionRecord {
  id: string;
  userId: string;
  status: StoredSessionStatus;
  cartSnapshot: CartSnapshot;
  shippingAddress: ShippingAddress | null;
  paymentMethodId: string | null;
  currency: string;
  totalCents: number;
  paymentIntentId: string | null;
  paymentAttempt: number;
  placeIdempotencyKey: string | null;
  leaseExpiresAt: Date | null;
  expiresAt: Date;
  placedAt: Date | null;
  createdAt: Date;
}

/** What `toRecord` reads, named rather than `*` so the prepared statements below keep their result type. */
const SESSION_COLUMNS = [
  'id',
  'user_id',
  'status',
  'cart_snapshot',
  'shipping_address',
  'payment_method_id',
  'currency',
  'total_cents',
  'payment_intent_id',
  'payment_attempt',
  'place_idempotency_key',
  'lease_expires_at',
  'expires_at',
  'placed_at',
  'created_at',
];

const toRecord = (row: Record<string, any>): CheckoutSessionRecord => ({
  id: row.id,
  userId: row.user_id,
  status: row.status,
  cartSnapshot: row.cart_snapshot,
  shippingAddress: row.shipping_address,
  paymentMethodId: row.payment_method_id,
  currency: row.currency,
  totalCents: row.total_cents,
  paymentIntentId: row.payment_intent_id,
  paymentAttempt: row.payment_attempt,
  placeIdempotencyKey: row.place_idempotency_key,
  leaseExpiresAt: row.lease_expires_at,
  expiresAt: row.expires_at,
  placedAt: row.placed_at,
  createdAt: row.created_at,
});

const snapshotColumns = (snapshot: CartSnapshot) => ({
  cart_snapshot: JSON.stringify(snapshot),
  currency: snapshot.currency,
  subtotal_cents: snapshot.summary.subtotalCents,
  shipping_cents: snapshot.summary.shippingCents,
  tax_cents: snapshot.summary.taxCents,
  total_cents: snapshot.summary.totalCents,
});

export async function insertSession(
  db: Knex,
  session: { id: string; userId: string; snapshot: CartSnapshot; expiresAt: Date; now: Date },
): Promise<CheckoutSessionRecord> {
  const [row] = await prepared(
    'checkout_sessions.insert',
    db('checkout_sessions')
      .insert({
        id: session.id,
        user_id: session.userId,
        ...snapshotColumns(session.snapshot),
        expires_at: session.expiresAt,
        created_at: session.now,
        updated_at: session.now,
      })
      .returning(SESSION_COLUMNS),
  );
  return toRecord(row);
}

export async function findSession(db: Knex, id: string): Promise<CheckoutSessionRecord | null> {
  const row = await prepared('checkout_sessions.find', db('checkout_sessions').where({ id }).first(SESSION_COLUMNS));
  return row ? toRecord(row) : null;
}

export interface PendingSessionChanges {
  snapshot?: CartSnapshot;
  shippingAddress?: ShippingAddress;
  paymentMethodId?: string;
}

/** Changes an unplaced, unexpired session of this user. Returns null when there is no such session. */
export async function updatePendingSession(
  db: Knex,
  id: string,
  userId: string,
  now: Date,
  changes: PendingSessionChanges,
): Promise<CheckoutSessionRecord | null> {
  // The statement's shape is which of the three changes are present: at most eight prepared variants.
  const shape = [changes.snapshot ? 'snapshot' : '', changes.shippingAddress ? 'address' : '', changes.paymentMethodId ? 'payment' : '']
    .filter(Boolean)
    .join('+');
  const [row] = await prepared(
    `checkout_sessions.update_pending:${shape}`,
    db('checkout_sessions')
      .where({ id, user_id: userId, status: 'pending' })
      .where('expires_at', '>', now)
      .update({
        ...(changes.snapshot ? snapshotColumns(changes.snapshot) : {}),
        ...(changes.shippingAddress ? { shipping_address: JSON.stringify(changes.shippingAddress) } : {}),
        // A new payment method makes any earlier PaymentIntent (e.g. one awaiting 3-D Secure) irrelevant.
        ...(changes.paymentMethodId ? { payment_method_id: changes.paymentMethodId, payment_intent_id: null } : {}),
        updated_at: now,
      })
      .returning(SESSION_COLUMNS),
  );
  return row ? toRecord(row) : null;
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
  const [row] = await prepared(
    'checkout_sessions.begin_placement',
    db('checkout_sessions')
      .where({ id, user_id: userId, status: 'pending' })
      .where('expires_at', '>', now)
      .whereNotNull('shipping_address')
      .whereNotNull('payment_method_id')
      .update({
        status: 'processing',
        payment_attempt: db.raw('payment_attempt + 1'),
        place_idempotency_key: idempotencyKey,
        lease_expires_at: leaseUntil,
        updated_at: now,
      })
      .returning(SESSION_COLUMNS),
  );
  return row ? toRecord(row) : null;
}

/** Takes over a processing session whose holder's lease ran out (it crashed or hung). Same attempt. */
export async function reclaimPlacement(db: Knex, id: string, now: Date, leaseUntil: Date): Promise<CheckoutSessionRecord | null> {
  const [row] = await prepared(
    'checkout_sessions.reclaim_placement',
    db('checkout_sessions')
      .where({ id, status: 'processing' })
      .where('lease_expires_at', '<=', now)
      .update({ lease_expires_at: leaseUntil, updated_at: now })
      .returning(SESSION_COLUMNS),
  );
  return row ? toRecord(row) : null;
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
      .where({ id, status: 'processing', payment_attempt: attempt })
      .update({ status: 'pending', lease_expires_at: null, payment_intent_id: paymentIntentId, updated_at: now }),
  );
}

/** processing → placed, in the same transaction that writes the orders and the charge. Null if this attempt lost it. */
export async function markSessionPaid(
  trx: Knex.Transaction,
  id: string,
  attempt: number,
  paymentIntentId: string,
  now: Date,
): Promise<CheckoutSessionRecord | null> {
  const [row] = await prepared(
    'checkout_sessions.mark_paid',
    trx('checkout_sessions')
      .where({ id, status: 'processing', payment_attempt: attempt })
      .update({ status: 'placed', payment_intent_id: paymentIntentId, lease_expires_at: null, placed_at: now, updated_at: now })
      .returning(SESSION_COLUMNS),
  );
  return row ? toRecord(row) : null;
}

export async function setSessionOutcome(
  db: Knex,
  id: string,
  status: 'completed' | 'partially_failed' | 'failed' | 'placed',
  now: Date,
): Promise<void> {
  await db('checkout_sessions')
    .where({ id })
    .whereIn('status', ['placed', 'completed', 'partially_failed', 'failed'])
    .whereNot({ status })
    .update({ status, updated_at: now });
}

export async function cancelPendingSession(db: Knex, id: string, now: Date): Promise<boolean> {
  const updated = await db('checkout_sessions').where({ id, status: 'pending' }).update({ status: 'cancelled', updated_at: now });
  return updated === 1;
}

export async function listStaleProcessingSessions(db: Knex, now: Date, limit: number): Promise<CheckoutSessionRecord[]> {
  const rows = await db('checkout_sessions')
    .where({ status: 'processing' })
    .where('lease_expires_at', '<=', now)
    .orderBy('lease_expires_at')
    .limit(limit)
    .select(SESSION_COLUMNS);
  return rows.map(toRecord);
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
  return rows.map(toRecord);
}
