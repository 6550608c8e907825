import { DomainError } from '../../domain/errors';
import {
  IDEMPOTENCY_KEY_TRUSTED_FOR_MS,
  PaymentGatewayUnavailableError,
  type PaymentSnapshot,
} from '../../payments/payment-gateway';
import * as sessions from '../../repositories/checkout-sessions-repository';
import type { CheckoutSessionRecord } from '../../domain/checkout-session';
import { effectiveStatus } from '../checkout-service';
import { asOutcome, cancelEarlierPayment, completedFor, paysFor } from '../earlier-payment';
import { leaseUntil, type PlaceContext, type PlaceResult } from './place-context';
import { recordOutcome } from './record-outcome';

/**
 * How long a session holding an earlier PaymentIntent stays untouched before the abandoned-payment sweep acts on it:
 * long enough that a shopper returning from 3-D Secure places it themselves, under their own Idempotency-Key.
 */
export const ABANDONED_PAYMENT_AFTER_MS = 5 * 60_000;

/**
 * Places a pending session, even past its expiry, with an earlier PaymentIntent the shopper has paid: the payment
 * bought exactly this frozen snapshot. Null when another place took the session first.
 */
export async function finishWithPayment(
  ctx: PlaceContext,
  session: CheckoutSessionRecord,
  payment: PaymentSnapshot,
  idempotencyKey: string | null,
): Promise<PlaceResult | null> {
  const now = ctx.deps.clock.now();
  const claimed = await sessions.claimPaidSession(
    ctx.deps.db,
    session.id,
    payment.paymentIntentId,
    idempotencyKey,
    now,
    leaseUntil(ctx, now),
  );
  return claimed ? recordOutcome(ctx, claimed, asOutcome(payment)!) : null;
}

/** Finishes places whose process died mid-way (lease expired). Safe to run on many instances at once. */
export async function recoverStalePlacements(
  ctx: PlaceContext,
  pay: (session: CheckoutSessionRecord) => Promise<PlaceResult>,
  limit: number,
): Promise<number> {
  const { db, clock, logger } = ctx.deps;
  const now = clock.now();
  let recovered = 0;
  const startedAfter = new Date(now.getTime() - IDEMPOTENCY_KEY_TRUSTED_FOR_MS);
  const { resumable, tooOld } = await sessions.listStaleProcessingSessions(db, now, startedAfter, limit);
  if (tooOld.length > 0) {
    // Stripe may have forgotten these attempts' keys: a repeated charge could take the money a second time.
    logger.error({ sessionIds: tooOld }, 'place attempts still unfinished after a day are not retried; they need ops');
  }
  for (const stale of resumable) {
    const reclaimed = await sessions.reclaimPlacement(db, stale.id, now, leaseUntil(ctx, now));
    if (!reclaimed) continue;
    try {
      await pay(reclaimed);
      recovered += 1;
    } catch (error) {
      const expected = error instanceof DomainError;
      logger[expected ? 'info' : 'error']({ err: error, sessionId: stale.id }, 'recovered place ended without orders');
    }
  }
  return recovered;
}

/** One session of the abandoned-payment sweep; true when it placed or refunded it. */
async function recoverAbandonedPayment(ctx: PlaceContext, session: CheckoutSessionRecord, now: Date): Promise<boolean> {
  const { db, payments, logger } = ctx.deps;
  const paymentIntentId = session.paymentIntentId!;
  let payment = await payments.retrieve(paymentIntentId);
  const stillOpen = effectiveStatus(session, now) === 'pending';
  // A cancelled session's authorization is released, never used: cancelling let go of it already, or should have.
  const completed = completedFor(session, payment) && (payment.status === 'succeeded' || session.status === 'pending');
  if (!stillOpen && !completed && payment.status !== 'processing') {
    // Expired or cancelled unpaid: it must never take money now (a shopper finishing 3-D Secure meanwhile wins).
    payment = await cancelEarlierPayment(ctx.deps, session, paymentIntentId, payment);
    if (payment.status === 'canceled') await sessions.forgetEarlierPayment(db, session.id, paymentIntentId, now);
  }
  // Processing is left for a later sweep; an open session's unpaid one for the shopper, still authenticating.
  if (payment.status !== 'succeeded' && !completed) return false;
  if (!paysFor(session, payment)) {
    logger.error(
      { sessionId: session.id, paymentIntentId, amountCents: payment.amountCents },
      'paid PaymentIntent does not match its session; needs ops',
    );
    return false;
  }
  if (session.status === 'cancelled') {
    // Cancelling checks the payment first and refuses a paid one, so this is never expected: no orders exist to
    // refund against, and the money must not be kept quietly.
    logger.error(
      { sessionId: session.id, paymentIntentId },
      'a cancelled checkout holds a paid PaymentIntent; needs ops',
    );
    return false;
  }
  return (await finishWithPayment(ctx, session, payment, null)) !== null;
}

/**
 * The abandoned-payment sweep, for sessions holding a PaymentIntent from an earlier place (3-D Secure) and left
 * alone for ABANDONED_PAYMENT_AFTER_MS. A pending one the shopper paid is placed with that payment through the
 * usual one-statement write, even past its expiry; an expired or cancelled one's unpaid PaymentIntent is
 * cancelled. Safe to run on many instances at once. Returns how many checkouts it placed.
 */
export async function recoverAbandonedPayments(ctx: PlaceContext, limit: number): Promise<number> {
  const { db, clock, logger } = ctx.deps;
  const now = clock.now();
  const olderThan = new Date(now.getTime() - ABANDONED_PAYMENT_AFTER_MS);
  let recovered = 0;
  for (const session of await sessions.listSessionsWithEarlierPayment(db, olderThan, limit)) {
    try {
      if (await recoverAbandonedPayment(ctx, session, now)) recovered += 1;
    } catch (error) {
      const expected = error instanceof DomainError || error instanceof PaymentGatewayUnavailableError;
      logger[expected ? 'warn' : 'error']({ err: error, sessionId: session.id }, 'abandoned payment not recovered yet');
    }
  }
  return recovered;
}
