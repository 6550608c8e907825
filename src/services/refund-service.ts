import { findSession } from '../repositories/checkout-sessions-repository';
import type { OrderRecord } from '../repositories/orders-repository';
import * as ledger from '../repositories/payment-transactions-repository';
import type { ServiceDeps } from './service-deps';

export interface RefundResult {
  refundId: string | null;
  amountCents: number;
  status: 'pending' | 'succeeded' | 'failed';
}

/**
 * Refunds against the checkout's single payment. The ledger row is written first as `pending` (the intent),
 * then the provider is called with the row's idempotency key, then the row is settled: a crash anywhere in
 * between leaves a pending row that `resumePendingRefunds` finishes with the same key, never refunding twice.
 */
export function createRefundService(deps: ServiceDeps) {
  const { db, payments, logger } = deps;

  async function execute(tx: ledger.PaymentTransactionRecord): Promise<RefundResult> {
    const session = await findSession(db, tx.checkoutSessionId);
    const outcome = await payments.refund({
      paymentIntentId: session!.paymentIntentId!,
      amountCents: tx.amountCents,
      idempotencyKey: tx.idempotencyKey,
      reason: 'requested_by_customer',
      metadata: { checkout_session_id: tx.checkoutSessionId, order_id: tx.orderId ?? '', reason: tx.reason ?? '' },
    });
    const status = outcome.status === 'succeeded' ? 'succeeded' : outcome.status === 'pending' || outcome.status === 'requires_action' ? 'pending' : 'failed';
    await ledger.settleTransaction(db, tx.idempotencyKey, {
      status,
      stripeRefundId: outcome.refundId,
      failureCode: status === 'failed' ? outcome.status : null,
    });
    return { refundId: outcome.refundId, amountCents: tx.amountCents, status };
  }

  return {
    /** Refunds whatever of the order's total is not refunded yet. `key` names this refund for idempotency. */
    async refundRemainder(order: OrderRecord, reason: string, key: string): Promise<RefundResult | null> {
      const existing = await ledger.findTransactionByKey(db, key);
      if (existing) {
        return existing.status === 'pending'
          ? execute(existing)
          : { refundId: existing.stripeRefundId, amountCents: existing.amountCents, status: existing.status };
      }
      const refunded = (await ledger.refundedCentsByOrder(db, [order.id])).get(order.id) ?? 0;
      const amountCents = order.totalCents - refunded;
      if (amountCents <= 0) return null;
      await ledger.recordTransaction(db, {
        checkoutSessionId: order.checkoutSessionId,
        orderId: order.id,
        type: refunded === 0 ? 'refund' : 'partial_refund',
        status: 'pending',
        amountCents,
        currency: order.currency,
        idempotencyKey: key,
        reason,
      });
      return execute((await ledger.findTransactionByKey(db, key))!);
    },

    /** Finishes refunds a crash or an outage left pending. */
    async resumePendingRefunds(limit = 50): Promise<number> {
      let resumed = 0;
      for (const tx of await ledger.listPendingRefunds(db, limit)) {
        try {
          if ((await execute(tx)).status !== 'pending') resumed += 1;
        } catch (error) {
          logger.warn({ err: error, key: tx.idempotencyKey }, 'pending refund still cannot be completed');
        }
      }
      return resumed;
    },
  };
}

export type RefundService = ReturnType<typeof createRefundService>;
