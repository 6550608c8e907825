import type { Knex } from 'knex';
import { insertRefundEventsSql } from './outbox-sql';

/** `discount`: money we gave a shopper (a promo code's share of an order), not a movement at the payment provider. */
export type TransactionType =
  'charge' | 'authorization' | 'capture' | 'void' | 'refund' | 'partial_refund' | 'dispute_loss' | 'discount';
export type TransactionStatus = 'pending' | 'succeeded' | 'failed';
/** `service`: a movement the service made; `stripe`: one it learnt of from Stripe (a Dashboard refund, a lost dispute). */
export type TransactionSource = 'service' | 'stripe';
/** How a movement made outside the service was split over the checkout's orders. */
export type TransactionAttribution = 'whole_order' | 'spread';

export interface PaymentTransactionRecord {
  id: string;
  checkoutSessionId: string;
  orderId: string | null;
  type: TransactionType;
  status: TransactionStatus;
  amountCents: number;
  currency: string;
  stripePaymentIntentId: string | null;
  stripeRefundId: string | null;
  idempotencyKey: string;
  failureCode: string | null;
  reason: string | null;
  refundItems: RefundItem[] | null;
  source: TransactionSource;
  attribution: TransactionAttribution | null;
  createdAt: Date;
}

export interface RefundItem {
  orderItemId: string;
  quantity: number;
}

const toRecord = (row: Record<string, any>): PaymentTransactionRecord => ({
  id: row.id,
  checkoutSessionId: row.checkout_session_id,
  orderId: row.order_id,
  type: row.type,
  status: row.status,
  amountCents: row.amount_cents,
  currency: row.currency,
  stripePaymentIntentId: row.stripe_payment_intent_id,
  stripeRefundId: row.stripe_refund_id,
  idempotencyKey: row.idempotency_key,
  failureCode: row.failure_code,
  reason: row.reason,
  refundItems: row.refund_items,
  source: row.source,
  attribution: row.attribution,
  createdAt: row.created_at,
});

export interface NewPaymentTransaction {
  checkoutSessionId: string;
  orderId?: string | null;
  type: TransactionType;
  status: TransactionStatus;
  amountCents: number;
  currency: string;
  stripePaymentIntentId?: string | null;
  stripeRefundId?: string | null;
  /** The provider idempotency key of the movement: recording the same movement twice is a no-op. */
  idempotencyKey: string;
  failureCode?: string | null;
  reason?: string | null;
  refundItems?: RefundItem[] | null;
  source?: TransactionSource;
  attribution?: TransactionAttribution | null;
}

/**
 * Records a movement (once per idempotency key). A refund recorded already settled (one made outside the service,
 * learnt from the provider) announces itself: its refund.succeeded / refund.failed event is written by the same
 * statement.
 */
export async function recordTransaction(db: Knex, tx: NewPaymentTransaction): Promise<void> {
  const insert = db('payment_transactions')
    .insert({
      checkout_session_id: tx.checkoutSessionId,
      order_id: tx.orderId ?? null,
      type: tx.type,
      status: tx.status,
      amount_cents: tx.amountCents,
      currency: tx.currency,
      stripe_payment_intent_id: tx.stripePaymentIntentId ?? null,
      stripe_refund_id: tx.stripeRefundId ?? null,
      idempotency_key: tx.idempotencyKey,
      failure_code: tx.failureCode ?? null,
      reason: tx.reason ?? null,
      refund_items: tx.refundItems ? JSON.stringify(tx.refundItems) : null,
      source: tx.source ?? 'service',
      attribution: tx.attribution ?? null,
    })
    .onConflict('idempotency_key')
    .ignore();
  const announces = (tx.type === 'refund' || tx.type === 'partial_refund') && tx.status !== 'pending';
  if (!announces) {
    await insert;
    return;
  }
  await db
    .with('t', insert.returning('*'))
    .with('e', db.raw(insertRefundEventsSql('t')))
    .select(db.raw('1'))
    .from('t');
}

export async function listSessionTransactions(
  db: Knex,
  checkoutSessionId: string,
): Promise<PaymentTransactionRecord[]> {
  const rows = await db('payment_transactions').where({ checkout_session_id: checkoutSessionId }).orderBy('created_at');
  return rows.map(toRecord);
}

/** Refunded cents per order (succeeded or still pending at the provider: both are promised to the shopper). */
export async function refundedCentsByOrder(db: Knex, orderIds: readonly string[]): Promise<Map<string, number>> {
  if (orderIds.length === 0) return new Map();
  const rows = await db('payment_transactions')
    .whereIn('order_id', orderIds)
    .whereIn('type', ['refund', 'partial_refund'])
    .whereIn('status', ['pending', 'succeeded'])
    .groupBy('order_id')
    .select('order_id')
    .sum({ cents: 'amount_cents' });
  return new Map(rows.map((row: any) => [row.order_id, Number(row.cents)]));
}

/** Item quantities that refunds still pending at the provider will return, per order item. */
export async function pendingRefundQuantities(db: Knex, orderId: string): Promise<Map<string, number>> {
  const rows = await db('payment_transactions')
    .where({ order_id: orderId, status: 'pending' })
    .whereIn('type', ['refund', 'partial_refund'])
    .whereNotNull('refund_items')
    .select('refund_items');
  const pending = new Map<string, number>();
  for (const item of rows.flatMap((row) => row.refund_items as RefundItem[])) {
    pending.set(item.orderItemId, (pending.get(item.orderItemId) ?? 0) + item.quantity);
  }
  return pending;
}

/** Cents of the order that refunds have actually returned (settled as succeeded). */
export async function returnedCents(db: Knex, orderId: string): Promise<number> {
  const row = await db('payment_transactions')
    .where({ order_id: orderId, status: 'succeeded' })
    .whereIn('type', ['refund', 'partial_refund'])
    .sum({ cents: 'amount_cents' })
    .first();
  return Number(row?.cents ?? 0);
}

/** Net money taken from a user: succeeded charges and captures less refunds. */
export async function netSpentCents(db: Knex, userId: string | undefined): Promise<number> {
  const query = db('payment_transactions as t')
    .join('checkout_sessions as s', 's.id', 't.checkout_session_id')
    .where('t.status', 'succeeded')
    .first(
      db.raw(`COALESCE(SUM(CASE WHEN t.type IN ('charge', 'capture') THEN t.amount_cents
                                WHEN t.type IN ('refund', 'partial_refund', 'dispute_loss') THEN -t.amount_cents
                                ELSE 0 END), 0)::bigint AS cents`),
    );
  if (userId) query.where('s.user_id', userId);
  const row = await query;
  return Number(row?.cents ?? 0);
}

export async function findTransactionByKey(db: Knex, idempotencyKey: string): Promise<PaymentTransactionRecord | null> {
  const row = await db('payment_transactions').where({ idempotency_key: idempotencyKey }).first();
  return row ? toRecord(row) : null;
}

/** Settles a pending movement once the provider has answered; false when it was already settled. */
export async function settleTransaction(
  db: Knex,
  idempotencyKey: string,
  result: { status: TransactionStatus; stripeRefundId?: string; failureCode?: string | null },
): Promise<boolean> {
  const update = db('payment_transactions')
    .where({ idempotency_key: idempotencyKey, status: 'pending' })
    .update({
      status: result.status,
      ...(result.stripeRefundId ? { stripe_refund_id: result.stripeRefundId } : {}),
      ...(result.failureCode !== undefined ? { failure_code: result.failureCode } : {}),
      updated_at: db.fn.now(),
    })
    .returning('*');
  // A refund's refund.succeeded / refund.failed event commits with its settle, in the same statement.
  const rows = await db
    .with('t', update)
    .with('e', db.raw(insertRefundEventsSql('t')))
    .select(db.raw('1'))
    .from('t');
  return rows.length === 1;
}

/**
 * Pending refunds, least recently tried first (never tried before all), so that refunds the provider keeps
 * pending for days take their turn behind newer intents instead of filling every batch.
 */
export async function listPendingRefunds(db: Knex, limit: number): Promise<PaymentTransactionRecord[]> {
  const rows = await db('payment_transactions')
    .whereIn('type', ['refund', 'partial_refund'])
    .where({ status: 'pending' })
    .orderByRaw('last_attempt_at ASC NULLS FIRST, created_at')
    .limit(limit);
  return rows.map(toRecord);
}

/** Stamps a try at a pending refund: the resume's turn order. */
export async function markRefundAttempted(db: Knex, idempotencyKey: string): Promise<void> {
  await db('payment_transactions')
    .where({ idempotency_key: idempotencyKey, status: 'pending' })
    .update({ last_attempt_at: db.fn.now() });
}

/** The ledger rows of one provider refund: one for ours, one per order it was attributed to for one made outside. */
export async function listTransactionsByRefundId(
  db: Knex,
  stripeRefundId: string,
): Promise<PaymentTransactionRecord[]> {
  const rows = await db('payment_transactions').where({ stripe_refund_id: stripeRefundId }).orderBy('created_at');
  return rows.map(toRecord);
}

/** Cents of each order that lost disputes took back (the card network returned them to the cardholder). */
export async function disputeLostCentsByOrder(db: Knex, orderIds: readonly string[]): Promise<Map<string, number>> {
  if (orderIds.length === 0) return new Map();
  const rows = await db('payment_transactions')
    .whereIn('order_id', orderIds)
    .where({ type: 'dispute_loss', status: 'succeeded' })
    .groupBy('order_id')
    .select('order_id')
    .sum({ cents: 'amount_cents' });
  return new Map(rows.map((row: any) => [row.order_id, Number(row.cents)]));
}

/** Remembers the provider's id of a refund still pending there, so its webhook can settle the row. */
export async function recordRefundId(db: Knex, idempotencyKey: string, stripeRefundId: string): Promise<void> {
  await db('payment_transactions')
    .where({ idempotency_key: idempotencyKey })
    .update({ stripe_refund_id: stripeRefundId });
}

/** Refunds of an order that the provider refused (status failed). */
export async function countFailedRefunds(db: Knex, orderId: string): Promise<number> {
  const row = await db('payment_transactions')
    .where({ order_id: orderId, status: 'failed' })
    .whereIn('type', ['refund', 'partial_refund'])
    .first(db.raw('count(*)::int AS n'));
  return row?.n ?? 0;
}

/** The checkout's capture or void of its authorization (capture policy after_placement), whatever its status. */
export async function findCaptureOfSession(
  db: Knex,
  checkoutSessionId: string,
): Promise<PaymentTransactionRecord | null> {
  const row = await db('payment_transactions')
    .where({ checkout_session_id: checkoutSessionId })
    .whereIn('type', ['capture', 'void'])
    .first();
  return row ? toRecord(row) : null;
}

/** Captures and voids still pending since before `createdBefore`: a crash or an outage interrupted them. Oldest first. */
export async function listPendingCaptures(
  db: Knex,
  createdBefore: Date,
  limit: number,
): Promise<PaymentTransactionRecord[]> {
  const rows = await db('payment_transactions')
    .whereIn('type', ['capture', 'void'])
    .where({ status: 'pending' })
    .where('created_at', '<', createdBefore)
    .orderBy('created_at')
    .limit(limit);
  return rows.map(toRecord);
}
