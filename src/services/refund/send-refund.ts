import { IDEMPOTENCY_KEY_TRUSTED_FOR_MS, type RefundOutcome } from '../../payments/payment-gateway';
import { findSession } from '../../repositories/checkout-sessions-repository';
import * as ledger from '../../repositories/payment-transactions-repository';
import type { ServiceDeps } from '../service-deps';
import { afterMoneyReturned } from './money-returned';

export interface RefundResult {
  transactionId: string;
  refundId: string | null;
  amountCents: number;
  status: 'pending' | 'succeeded' | 'failed';
}

export const refundResultOf = (tx: ledger.PaymentTransactionRecord): RefundResult => ({
  transactionId: tx.id,
  refundId: tx.stripeRefundId,
  amountCents: tx.amountCents,
  status: tx.status,
});

/**
 * Where the row's refund stands at the provider. A refund already known is retrieved: creating it again would
 * only replay the provider's first answer, frozen at `pending`. Otherwise the first create may have happened
 * with its answer lost; while the key is remembered the same create replays it, and after that the refund is
 * looked up by its key before anything is created.
 */
async function askProvider(
  { db, payments, clock }: ServiceDeps,
  tx: ledger.PaymentTransactionRecord,
): Promise<RefundOutcome> {
  if (tx.stripeRefundId) return payments.retrieveRefund(tx.stripeRefundId);
  const session = await findSession(db, tx.checkoutSessionId);
  const paymentIntentId = session!.paymentIntentId!;
  // Past the key's trusted age its create might not replay: the refund is first looked up by the key it carries
  // in its metadata. The row is written before its first create, so its age never understates the key's.
  if (clock.now().getTime() - tx.createdAt.getTime() >= IDEMPOTENCY_KEY_TRUSTED_FOR_MS) {
    const earlier = await payments.findRefundByKey(paymentIntentId, tx.idempotencyKey);
    if (earlier) return earlier;
  }
  return payments.refund({
    paymentIntentId,
    amountCents: tx.amountCents,
    idempotencyKey: tx.idempotencyKey,
    reason: 'requested_by_customer',
    metadata: {
      checkout_session_id: tx.checkoutSessionId,
      order_id: tx.orderId ?? '',
      reason: (tx.reason ?? '').slice(0, 450),
    },
  });
}

/**
 * Under capture policy after_placement a refund returns money the checkout's capture took. While that capture is
 * still pending at Stripe there is nothing to refund from yet: the refund stays pending and is resumed. A capture
 * that failed took nothing, so there never will be. Null: ask the provider.
 */
async function heldByCapture({ db }: ServiceDeps, tx: ledger.PaymentTransactionRecord): Promise<RefundOutcome | null> {
  if (tx.stripeRefundId) return null;
  const capture = await ledger.findCaptureOfSession(db, tx.checkoutSessionId);
  if (!capture || (capture.type === 'capture' && capture.status === 'succeeded')) return null;
  if (capture.type === 'capture' && capture.status === 'pending')
    return { refundId: null, amountCents: tx.amountCents, status: 'pending' };
  return { refundId: null, amountCents: tx.amountCents, status: 'failed', failureCode: 'payment_not_captured' };
}

/**
 * Step 2 of a refund: sends the pending row's refund under its key and settles the row with what the provider
 * says, together with what the money's return changes (`afterMoneyReturned`). A refund still pending stays so;
 * `resumePendingRefunds` sends it again under the same key, so a crash or an outage never refunds twice.
 */
export async function sendRefund(deps: ServiceDeps, tx: ledger.PaymentTransactionRecord): Promise<RefundResult> {
  const { db } = deps;
  await ledger.markRefundAttempted(db, tx.idempotencyKey);
  const outcome = (await heldByCapture(deps, tx)) ?? (await askProvider(deps, tx));
  const status =
    outcome.status === 'succeeded'
      ? 'succeeded'
      : outcome.status === 'failed' || outcome.status === 'canceled'
        ? 'failed'
        : 'pending';
  if (status !== 'pending') {
    await db.transaction(async (trx) => {
      const settled = await ledger.settleTransaction(trx, tx.idempotencyKey, {
        status,
        stripeRefundId: outcome.refundId ?? undefined,
        failureCode: status === 'failed' ? (outcome.failureCode ?? outcome.status) : null,
      });
      if (settled && status === 'succeeded') await afterMoneyReturned(deps, trx, tx);
    });
  } else {
    if (outcome.refundId && outcome.refundId !== tx.stripeRefundId)
      await ledger.recordRefundId(db, tx.idempotencyKey, outcome.refundId);
  }
  return refundResultOf((await ledger.findTransactionByKey(db, tx.idempotencyKey))!);
}
