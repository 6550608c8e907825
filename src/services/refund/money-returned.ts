import type { Knex } from 'knex';
import { FULFILLED_STATUSES, type OrderStatus } from '../../domain/order-status';
import {
  addRefundedQuantities,
  lockOrder,
  refundAllItemsOfRefundedOrder,
} from '../../repositories/order-writes-repository';
import { findOrderById } from '../../repositories/orders-repository';
import * as ledger from '../../repositories/payment-transactions-repository';
import { transitionOrder } from '../order-state-machine';
import type { ServiceDeps } from '../service-deps';

/**
 * What a refund that went through changes beyond the ledger, on the same transaction: the items it names are
 * returned (all of them once the order's whole total is); a fulfilled order becomes refunded or partially
 * refunded. Only money that really went back counts, so a refund still pending (or one that fails) moves nothing.
 */
export async function afterMoneyReturned(
  { clock }: Pick<ServiceDeps, 'clock'>,
  trx: Knex.Transaction,
  tx: ledger.PaymentTransactionRecord,
): Promise<void> {
  if (tx.refundItems) await addRefundedQuantities(trx, tx.refundItems);
  if (!tx.orderId) return;
  await refundAllItemsOfRefundedOrder(trx, tx.orderId);
  // Orders the shopper has (or had) from the retailer: a refund of theirs shows in their status.
  if (!FULFILLED_STATUSES.includes(await lockOrder(trx, tx.orderId))) return;
  const order = (await findOrderById(trx, tx.orderId))!;
  const to: OrderStatus =
    (await ledger.returnedCents(trx, order.id)) >= order.totalCents ? 'refunded' : 'partially_refunded';
  if (order.status !== 'refunded') await transitionOrder({ db: trx, clock }, order, to, tx.reason ?? 'refunded');
}
