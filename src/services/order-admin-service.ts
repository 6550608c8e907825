import { DomainError } from '../domain/errors';
import { paidForItems } from '../domain/money';
import { CANCELLABLE_STATUSES, REFUNDABLE_STATUSES } from '../domain/order-status';
import type { Principal } from '../domain/principal';
import { newId } from '../domain/ids';
import * as orders from '../repositories/orders-repository';
import type { OrderRecord } from '../domain/order';
import * as tasks from '../repositories/ops-tasks-repository';
import { alongsideAll, transitionOrder, type AlongsideMove } from './order-state-machine';
import type { RefundResult, RefundService } from './refund-service';
import type { ServiceDeps } from './service-deps';
import { adminRefundKey, cancelledRefundKey } from '../domain/idempotency-keys';

export interface AdminRefundInput {
  amountCents?: number;
  items?: { orderItemId: string; quantity: number }[];
  reason: string;
}

/** What admins do to orders after the fact: refunds (whole, items or an amount) and cancellations. */
export function createOrderAdminService(deps: ServiceDeps, refunds: RefundService) {
  const { db, clock } = deps;

  async function load(orderNumber: string): Promise<OrderRecord> {
    const order = await orders.findOrderByNumber(db, orderNumber);
    if (!order) throw new DomainError('not_found', 'Order not found');
    return order;
  }

  /**
   * Items are refunded at what the shopper paid for them: their snapshot price less their share of the order's
   * discount, plus their share of the tax. Whether they are this
   * order's, and that many are still left to refund, is decided by the refund itself, under the order's lock.
   */
  async function amountForItems(
    order: OrderRecord,
    requested: NonNullable<AdminRefundInput['items']>,
  ): Promise<number> {
    const prices = new Map((await orders.listOrderItems(db, order.id)).map((item) => [item.id, item.unitPriceCents]));
    const value = requested.reduce((sum, line) => sum + (prices.get(line.orderItemId) ?? 0) * line.quantity, 0);
    return paidForItems(value, { ...order, itemsDiscountCents: order.discountCents - order.shippingDiscountCents });
  }

  return {
    async refund(
      principal: Principal,
      orderNumber: string,
      input: AdminRefundInput,
      idempotencyKey: string,
    ): Promise<RefundResult> {
      const order = await load(orderNumber);
      // `refunded` too: refunding it again is answered as the contract says, refund_exceeds_captured (nothing is left).
      if (!REFUNDABLE_STATUSES.includes(order.status)) {
        throw new DomainError(
          'invalid_transition',
          `Order ${orderNumber} is ${order.status}; cancel it instead of refunding`,
          { from: order.status },
        );
      }
      const itemsAmount = input.items?.length ? await amountForItems(order, input.items) : undefined;
      const amountCents = input.amountCents ?? itemsAmount; // neither: all that is left
      const reason = `refund by ${principal.userId}: ${input.reason}`;
      return refunds.refund(order, {
        amountCents,
        reason,
        key: adminRefundKey(orderNumber, principal.userId, idempotencyKey),
        items: input.items,
      });
    },

    /**
     * Cancels and refunds. An order the retailer may already hold (placing, placed, confirmed) also gets an ops
     * task to cancel it at the retailer; open placement tasks are withdrawn.
     */
    async cancel(principal: Principal, orderNumber: string, reason: string) {
      const order = await load(orderNumber);
      if (!CANCELLABLE_STATUSES.includes(order.status)) {
        throw new DomainError(
          'invalid_transition',
          `Order ${orderNumber} is ${order.status} and can no longer be cancelled; refund it instead`,
          {
            from: order.status,
            to: 'cancelled',
          },
        );
      }
      const retailerMayHaveIt =
        order.status !== 'pending' && !(order.placementMethod === 'manual' && !order.storeOrderNumber);
      const refundKey = cancelledRefundKey(orderNumber);
      // Nobody may buy it any more, ops are asked to cancel it where the retailer may have it, and the refund is
      // owed: all of it commits with the move, or none of it does.
      const withdrawAndAsk: AlongsideMove = async (trx) => {
        await tasks.withdrawPurchaseTasks(trx, order.id, principal.userId, clock.now());
        if (!retailerMayHaveIt) return;
        await tasks.openTask(trx, {
          id: newId('task'),
          orderId: order.id,
          kind: 'cancel_order',
          payload: {
            orderNumber,
            store: { slug: order.storeSlug, name: order.storeName },
            storeOrderNumber: order.storeOrderNumber,
            instructions: `Cancel ${order.storeOrderNumber ?? `the order with reference ${orderNumber}`} at ${order.storeName}; the shopper is not charged for it (refunded, or under the capture policy never taken).`,
          },
        });
      };
      const owed = refunds.owedRefund(`cancelled: ${reason}`, refundKey);
      // The after-move hooks send the refund and settle the checkout.
      await transitionOrder(
        deps,
        order,
        'cancelled',
        `cancelled by ${principal.userId}: ${reason}`,
        {},
        alongsideAll(withdrawAndAsk, owed),
      );
      return load(orderNumber);
    },
  };
}

export type OrderAdminService = ReturnType<typeof createOrderAdminService>;
