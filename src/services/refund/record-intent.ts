import type { Knex } from 'knex';
import { DomainError } from '../../domain/errors';
import type { OrderRecord } from '../../domain/order';
import { lockOrder } from '../../repositories/order-writes-repository';
import { listOrderItems } from '../../repositories/orders-repository';
import { takenCents } from '../../repositories/captures-repository';
import * as ledger from '../../repositories/payment-transactions-repository';
import type { RefundItem } from '../../repositories/payment-transactions-repository';

/** An authorization that has not been captured (yet, or for this order ever) has nothing to refund from. */
function paymentNotCaptured(order: OrderRecord, taken: number | null): DomainError {
  const message =
    taken === null
      ? `The checkout of order ${order.orderNumber} is authorized but not captured yet: cancel the order instead ` +
        '(it will not be charged), or refund it once the checkout is captured'
      : `Order ${order.orderNumber} was left out of its checkout's capture (it had failed or been cancelled by then): ` +
        'its money was never taken, so there is nothing to refund';
  return new DomainError('payment_not_captured', message, { orderStatus: order.status });
}

export interface RefundRequest {
  /** Absent: all that is left to refund, as decided under the order's lock. */
  amountCents?: number;
  reason: string;
  /** The provider idempotency key of this refund; the same key never refunds twice. */
  key: string;
  items?: RefundItem[];
}

/**
 * What of the order the shopper has paid and not had back (refunds still pending count as returned, and so does
 * what a lost dispute took back). Under capture
 * policy after_placement that is nothing until the checkout is captured, and nothing ever for an order that had
 * failed or been cancelled by then: its money was never taken.
 */
export async function refundableCents(conn: Knex, order: Pick<OrderRecord, 'id'>): Promise<number> {
  // One query at a time: `conn` is often a transaction, a single connection.
  const taken = await takenCents(conn, order.id);
  const refunded = await ledger.refundedCentsByOrder(conn, [order.id]);
  const disputed = await ledger.disputeLostCentsByOrder(conn, [order.id]);
  return (taken ?? 0) - (refunded.get(order.id) ?? 0) - (disputed.get(order.id) ?? 0);
}

/**
 * Items a refund may still return: bought, less what earlier refunds returned or (pending) will return.
 * Problems name the request's item lines, as the request's own validation does.
 */
async function checkItemsLeft(
  trx: Knex.Transaction,
  order: OrderRecord,
  requested: readonly RefundItem[],
): Promise<void> {
  const items = new Map((await listOrderItems(trx, order.id)).map((item) => [item.id, item]));
  const pending = await ledger.pendingRefundQuantities(trx, order.id);
  const asked = new Map<string, number>();
  const problems: Record<string, string> = {};
  requested.forEach((line, index) => {
    const item = items.get(line.orderItemId);
    if (!item) return void (problems[`items.${index}.orderItemId`] = 'not an item of this order');
    const left = item.quantity - item.refundedQuantity - (pending.get(item.id) ?? 0) - (asked.get(item.id) ?? 0);
    if (line.quantity > left) problems[`items.${index}.quantity`] = `at most ${Math.max(left, 0)} left to refund`;
    asked.set(item.id, (asked.get(item.id) ?? 0) + line.quantity);
  });
  if (Object.keys(problems).length > 0) {
    throw new DomainError('refund_exceeds_captured', 'The items cannot be refunded as asked', { fields: problems });
  }
}

/**
 * Step 1 of a refund: records its intent (a pending row) if the order still has that much, and those items, to give
 * back. The order's row is locked meanwhile, so two refunds of one order (an admin's and a failed
 * placement's, or two admins') can never together return more than the order took.
 */
export async function recordRefundIntent(
  trx: Knex.Transaction,
  order: OrderRecord,
  request: RefundRequest,
): Promise<void> {
  await lockOrder(trx, order.id);
  if (await ledger.findTransactionByKey(trx, request.key)) return;
  const taken = await takenCents(trx, order.id);
  if (!taken) throw paymentNotCaptured(order, taken);
  if (request.items?.length) await checkItemsLeft(trx, order, request.items);
  const refundable = await refundableCents(trx, order);
  const amountCents = request.amountCents ?? refundable;
  if (amountCents <= 0 || amountCents > refundable) {
    throw new DomainError(
      'refund_exceeds_captured',
      `At most ${refundable} cents of order ${order.orderNumber} can be refunded`,
      {
        refundableCents: refundable,
        requestedCents: amountCents,
      },
    );
  }
  await ledger.recordTransaction(trx, {
    checkoutSessionId: order.checkoutSessionId,
    orderId: order.id,
    type: amountCents === order.totalCents ? 'refund' : 'partial_refund',
    status: 'pending',
    amountCents,
    currency: order.currency,
    idempotencyKey: request.key,
    reason: request.reason,
    refundItems: request.items ?? null,
  });
}
