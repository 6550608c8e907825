import type { Knex } from 'knex';
import { FAILED_OR_CANCELLED_STATUSES, UNSETTLED_STATUSES } from '../domain/order-status';
import { PaymentGatewayUnavailableError, type PaymentSnapshot } from '../payments/payment-gateway';
import * as captures from '../repositories/captures-repository';
import * as ledger from '../repositories/payment-transactions-repository';
import type { PaymentTransactionRecord, TransactionStatus } from '../repositories/payment-transactions-repository';
import type { ServiceDeps } from './service-deps';
import { captureKey, voidKey } from '../domain/idempotency-keys';

/**
 * How long after place an authorization is captured at the latest, whatever its orders' state. A card authorization
 * made by the shopper online holds for 7 days, after which Stripe releases it and cancels the PaymentIntent
 * (https://docs.stripe.com/payments/place-a-hold-on-a-payment-method); a day of margin covers outages and sweeps.
 */
export const CAPTURE_DEADLINE_MS = 6 * 24 * 60 * 60_000;
/**
 * A settled checkout is captured right after its settle, and a capture is carried out right after it is recorded;
 * this long after, that was lost (and the sweep no longer races the process doing it).
 */
const CAPTURE_LOST_AFTER_MS = 60_000;

/**
 * Turning a checkout's authorization into money taken (capture policy after_placement): once every order is settled,
 * or at the authorization's deadline, capture the totals of the orders not failed or cancelled, or release the whole
 * authorization when there are none.
 *
 * Steps and their resume:
 *  1. one transaction: lock the session and all its orders, fix the amount and each order's share, record a
 *     pending `capture` (or `void`) row                                  crash before commit → the sweep decides again
 *  2. capture (or cancel) the PaymentIntent with the row's key           crash, outage → the sweep repeats 2, same key
 *  3. settle the row
 * The orders stay locked while the amount is decided, so an order's move and the capture happen one after the other:
 * an order failing first is left out (nothing to refund), one failing after is refunded from the capture.
 */
export function createCaptureService(deps: ServiceDeps) {
  const { db, clock, payments, settings, logger } = deps;

  /** Step 1; null when there is nothing to capture (charged at place) or, before the deadline, not yet. */
  async function decide(
    trx: Knex.Transaction,
    sessionId: string,
    atDeadline: boolean,
  ): Promise<PaymentTransactionRecord | null> {
    const session = await captures.lockSessionForCapture(trx, sessionId);
    // Someone else recorded it meanwhile, or the checkout was charged at place: theirs (or nothing) is the answer.
    if (!session?.captureDueAt) return ledger.findCaptureOfSession(trx, sessionId);
    const orders = await captures.lockOrdersForCapture(trx, sessionId);
    if (!atDeadline && orders.some((order) => UNSETTLED_STATUSES.includes(order.status))) return null;
    const amountCents = orders
      .filter((order) => !FAILED_OR_CANCELLED_STATUSES.includes(order.status))
      .reduce((sum, order) => sum + order.totalCents, 0);
    const key = amountCents > 0 ? captureKey(sessionId) : voidKey(sessionId);
    await captures.recordCapturedShares(trx, sessionId, FAILED_OR_CANCELLED_STATUSES);
    await ledger.recordTransaction(trx, {
      checkoutSessionId: sessionId,
      type: amountCents > 0 ? 'capture' : 'void',
      status: 'pending',
      // A void releases all that was authorized.
      amountCents: amountCents > 0 ? amountCents : session.totalCents,
      currency: session.currency,
      stripePaymentIntentId: session.paymentIntentId,
      idempotencyKey: key,
    });
    await captures.clearCaptureDue(trx, sessionId);
    return ledger.findTransactionByKey(trx, key);
  }

  /** What the PaymentIntent's state says about the row: settled one way or the other, or still pending. */
  function resultOf(row: PaymentTransactionRecord, payment: PaymentSnapshot): TransactionStatus {
    if (row.type === 'capture') {
      if (payment.status === 'succeeded') return 'succeeded';
      return payment.status === 'canceled' ? 'failed' : 'pending';
    }
    if (payment.status === 'canceled') return 'succeeded';
    return payment.status === 'succeeded' ? 'failed' : 'pending';
  }

  /** Steps 2 and 3 for a pending row: the same key replays a call whose answer was lost. */
  async function carryOut(row: PaymentTransactionRecord): Promise<PaymentTransactionRecord> {
    const paymentIntentId = row.stripePaymentIntentId!;
    let payment: PaymentSnapshot;
    try {
      payment =
        row.type === 'capture'
          ? await payments.capture(paymentIntentId, row.amountCents, row.idempotencyKey)
          : await payments.cancel(paymentIntentId, row.idempotencyKey);
    } catch (error) {
      if (error instanceof PaymentGatewayUnavailableError) throw error;
      // Refused: the PaymentIntent has moved on. An earlier try went through (its answer lost, its key forgotten by
      // Stripe after a day), or the authorization lapsed. What it is now decides; still capturable, it is a surprise.
      payment = await payments.retrieve(paymentIntentId);
      if (payment.status === 'requires_capture') throw error;
    }
    const status = resultOf(row, payment);
    if (status === 'pending') return row;
    const context = {
      sessionId: row.checkoutSessionId,
      type: row.type,
      recordedCents: row.amountCents,
      payment: payment.status,
      capturedCents: payment.capturedCents,
    };
    if (status === 'succeeded' && row.type === 'capture' && payment.capturedCents !== row.amountCents) {
      logger.error(context, 'capture took another amount than recorded; needs ops');
    }
    if (status === 'failed') {
      // Placed orders were bought with money that was never taken (a capture on a lapsed authorization), or money
      // was taken that nobody asked for (a void on a captured payment): either way a person has to look.
      logger.error(context, 'the authorization did not end as recorded; needs ops');
    }
    const failureCode = status === 'failed' ? `payment_${payment.status}` : null;
    await db.transaction(async (trx) => {
      const settled = await ledger.settleTransaction(trx, row.idempotencyKey, { status, failureCode });
      // A capture that failed took nothing of any order: none of them has anything to refund.
      if (settled && status === 'failed' && row.type === 'capture')
        await captures.releaseCapturedShares(trx, row.checkoutSessionId);
    });
    return (await ledger.findTransactionByKey(db, row.idempotencyKey))!;
  }

  /**
   * Captures the checkout's authorization, or releases it, once; a pending capture is carried out again with its key.
   * Before the deadline only a checkout whose orders are all settled is captured. Null when there is nothing to do.
   */
  async function captureCheckout(sessionId: string, atDeadline = false): Promise<PaymentTransactionRecord | null> {
    const recorded =
      (await ledger.findCaptureOfSession(db, sessionId)) ??
      (await db.transaction((trx) => decide(trx, sessionId, atDeadline)));
    if (!recorded) return null;
    return recorded.status === 'pending' ? carryOut(recorded) : recorded;
  }

  return {
    captureCheckout,

    /**
     * A checkout has just settled: under after_placement it is captured now. A capture that cannot be finished now
     * (Stripe unreachable) is left to the sweep; the settle itself stands.
     */
    async checkoutSettled(sessionId: string): Promise<void> {
      if (settings.capturePolicy !== 'after_placement') return;
      try {
        await captureCheckout(sessionId);
      } catch (error) {
        const expected = error instanceof PaymentGatewayUnavailableError;
        logger[expected ? 'warn' : 'error'](
          { err: error, sessionId },
          'capture after settle not finished; the capture sweep will',
        );
      }
    },

    /**
     * The capture sweep, whatever the current policy (an authorization made under after_placement is captured even
     * after a switch back): authorizations whose deadline has come, settled checkouts whose capture was lost, and
     * captures a crash or an outage left pending. Safe to run on many instances at once. Returns how many it settled.
     */
    async captureDue(limit = 50): Promise<number> {
      const now = clock.now();
      const lostBefore = new Date(now.getTime() - CAPTURE_LOST_AFTER_MS);
      let done = 0;
      const attempt = async (what: Record<string, unknown>, run: () => Promise<PaymentTransactionRecord | null>) => {
        try {
          const row = await run();
          if (row && row.status !== 'pending') done += 1;
        } catch (error) {
          const expected = error instanceof PaymentGatewayUnavailableError;
          logger[expected ? 'warn' : 'error']({ err: error, ...what }, 'capture still cannot be completed');
        }
      };
      for (const due of await captures.listCapturesDue(db, { deadline: now, settledBefore: lostBefore }, limit)) {
        await attempt({ sessionId: due.id }, () => captureCheckout(due.id, due.captureDueAt <= now));
      }
      for (const row of await ledger.listPendingCaptures(db, lostBefore, limit)) {
        await attempt({ key: row.idempotencyKey }, () => carryOut(row));
      }
      return done;
    },
  };
}

export type CaptureService = ReturnType<typeof createCaptureService>;
