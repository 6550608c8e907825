import type { Knex } from 'knex';
import { hotQuery } from '../db/hot-query';
import { insertCheckoutEventsSql } from './outbox-sql';
import { toOrder } from './order-rows';
import { insertOrdersCtes, SELECT_INSERTED_ORDERS } from './order-writes-repository';
import type { NewOrder, OrderRecord } from '../domain/order';
import { sessionMove } from '../domain/session-status';
import { discountKeySql } from '../domain/idempotency-keys';

/** The payment went through: the one move into `placed`. */
const PAY = sessionMove('processing', 'placed');

export interface PaidCheckout {
  sessionId: string;
  /** The payment attempt that holds the session (`processing`); another attempt's write is refused. */
  paymentAttempt: number;
  paymentIntentId: string;
  /** `charge` when the provider captured the money, `authorization` when it only holds it. */
  movement: 'charge' | 'authorization';
  /** For an authorization: the latest moment to capture it (the capture sweep's deadline). Null for a charge. */
  captureDueAt: Date | null;
  amountCents: number;
  currency: string;
  /** The provider idempotency key of the payment, which is also the ledger row's key. */
  idempotencyKey: string;
  orders: NewOrder[];
  /** The cart lines the snapshot bought: they leave the shopper's cart. */
  boughtCartItemIds: string[];
  /** The promo code this checkout used: its held use becomes redeemed. */
  promotion: { promotionId: string; discountCents: number } | null;
}

/**
 * Everything a successful payment changes, as ONE statement (atomic without a transaction, and one round trip on
 * the hottest path): the session moves processing → placed (a compare-and-set on the attempt), the payment enters
 * the ledger, one order per store is written with its items, the bought lines leave the cart, the promo code's use
 * is redeemed and leaves the cart with the lines (recorded even if its hold went missing: the shopper has paid the discounted price) and each order's
 * discount enters the ledger as ours (`discount`, beside the shopper's payment); the `checkout.placed` event enters
 * the outbox. Every part after
 * the session move reads from it, so if this attempt lost the session nothing at all is written and the answer is
 * null; otherwise the orders as `listSessionOrders` returns them.
 */
export async function recordPaidCheckout(db: Knex, paid: PaidCheckout, now: Date): Promise<OrderRecord[] | null> {
  const orders = insertOrdersCtes(paid.orders, now, 'WHERE EXISTS (SELECT 1 FROM paid)');
  const { rows } = await hotQuery(
    db,
    'checkout.record_paid',
    `WITH paid AS (
         UPDATE checkout_sessions
         SET status = '${PAY.to}', payment_intent_id = ?, lease_expires_at = NULL, placed_at = ?, updated_at = ?,
             capture_due_at = ?::timestamptz
         WHERE id = ? AND status = '${PAY.from}' AND payment_attempt = ?
         RETURNING *
       ), ledger AS (
         INSERT INTO payment_transactions (checkout_session_id, type, status, amount_cents, currency, stripe_payment_intent_id,
                                           idempotency_key)
         SELECT paid.id, ?, 'succeeded', ?, ?, ?, ? FROM paid
         ON CONFLICT (idempotency_key) DO NOTHING
       ), bought AS (
         DELETE FROM cart_items
         WHERE id = ANY(?::uuid[]) AND cart_id IN (SELECT c.id FROM carts c JOIN paid ON c.user_id = paid.user_id)
       ), redeemed AS (
         INSERT INTO promotion_redemptions (promotion_id, checkout_session_id, user_id, status, discount_cents, created_at, updated_at)
         SELECT ?::uuid, paid.id, paid.user_id, 'redeemed', ?::integer, ?::timestamptz, ?::timestamptz FROM paid WHERE ?::uuid IS NOT NULL
         ON CONFLICT (checkout_session_id) WHERE status <> 'released'
         DO UPDATE SET status = 'redeemed', updated_at = EXCLUDED.updated_at
       ), spent AS (
         DELETE FROM cart_promotions cp USING paid WHERE cp.user_id = paid.user_id AND cp.promotion_id = ?::uuid
       ), ${orders.sql}, placed_event AS (${insertCheckoutEventsSql('paid', 'o', "'checkout.placed'")}), discounts AS (
         INSERT INTO payment_transactions (checkout_session_id, order_id, type, status, amount_cents, currency, idempotency_key, reason)
         SELECT o.checkout_session_id, o.id, 'discount', 'succeeded', o.discount_cents, o.currency, ${discountKeySql('o.order_number')},
                'promo code ' || o.promotion_code || ', funded by us'
         FROM o WHERE o.discount_cents > 0
         ON CONFLICT (idempotency_key) DO NOTHING
       )
       ${SELECT_INSERTED_ORDERS}`,
    [
      paid.paymentIntentId,
      now,
      now,
      paid.captureDueAt,
      paid.sessionId,
      paid.paymentAttempt,
      paid.movement,
      paid.amountCents,
      paid.currency,
      paid.paymentIntentId,
      paid.idempotencyKey,
      paid.boughtCartItemIds,
      paid.promotion?.promotionId ?? null,
      paid.promotion?.discountCents ?? 0,
      now,
      now,
      paid.promotion?.promotionId ?? null,
      paid.promotion?.promotionId ?? null,
      ...orders.bindings,
    ],
  );
  return rows.length > 0 ? rows.map(toOrder) : null;
}
