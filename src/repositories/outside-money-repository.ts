import type { Knex } from 'knex';
import type { OrderStatus } from '../domain/order-status';

/** Reads for money that moved at Stripe without the service asking (Dashboard refunds, disputes). */

export interface PaidSession {
  id: string;
  currency: string;
}

/**
 * The checkout a provider payment belongs to: the one whose ledger recorded that PaymentIntent's charge or
 * authorization (a session may have tried other intents first), else the one that names it.
 */
export async function findSessionByPaymentIntent(db: Knex, paymentIntentId: string): Promise<PaidSession | null> {
  const paid = await db('payment_transactions as t')
    .join('checkout_sessions as s', 's.id', 't.checkout_session_id')
    .where({ 't.stripe_payment_intent_id': paymentIntentId, 't.status': 'succeeded' })
    .whereIn('t.type', ['charge', 'authorization'])
    .first('s.id', 's.currency');
  if (paid) return paid;
  const named = await db('checkout_sessions').where({ payment_intent_id: paymentIntentId }).first('id', 'currency');
  return named ?? null;
}

export interface SessionOrderShare {
  id: string;
  orderNumber: string;
  status: OrderStatus;
  totalCents: number;
  currency: string;
}

/**
 * Locks every order of the checkout, in id order as the capture locks them (two lockers never deadlock), and
 * returns them in the order the checkout created them: attributing money to them is decided one event at a time.
 */
export async function lockSessionOrders(trx: Knex.Transaction, sessionId: string): Promise<SessionOrderShare[]> {
  const rows = await trx('orders')
    .where({ checkout_session_id: sessionId })
    .orderBy('id')
    .forUpdate()
    .select('id', 'order_number', 'status', 'total_cents', 'currency', 'created_at');
  return rows
    .sort((a, b) => a.created_at - b.created_at || a.order_number.localeCompare(b.order_number))
    .map((row) => ({
      id: row.id,
      orderNumber: row.order_number,
      status: row.status,
      totalCents: row.total_cents,
      currency: row.currency,
    }));
}
