import { DomainError } from '../domain/errors';
import type { Principal } from '../domain/principal';
import { isPaidSessionStatus } from '../domain/session-status';
import { IDEMPOTENCY_KEY_TRUSTED_FOR_MS, PaymentGatewayUnavailableError, type PaymentSnapshot } from '../payments/payment-gateway';
import * as sessions from '../repositories/checkout-sessions-repository';
import type { CheckoutSessionRecord } from '../domain/checkout-session';
import { listSessionOrders } from '../repositories/orders-repository';
import type { OrderRecord } from '../domain/order';
import { recordPaidCheckout } from '../repositories/paid-checkout-repository';
import { findTransactionByKey, recordTransaction } from '../repositories/payment-transactions-repository';
import { effectiveStatus, loadVisibleSession, notEditable } from './checkout-service';
import { CAPTURE_DEADLINE_MS } from './capture-service';
import { asOutcome, cancelEarlierPayment, completedFor, paymentRefused, paysFor, type PaymentOutcome } from './earlier-payment';
import { toNewOrder } from './store-orders';
import type { PromotionService } from './promotion-service';
import type { ServiceDeps } from './service-deps';
import { chargeKey } from '../domain/idempotency-keys';

export interface PlaceResult {
  session: CheckoutSessionRecord;
  orders: OrderRecord[];
  /** What the payment did at place: took the money, or (capture policy after_placement) only holds it. */
  payment: 'charged' | 'authorized';
}

export interface PlacementJobRef {
  orderNumber: string;
  storeId: string;
}

/** Hands freshly written orders to placement. Called only after the orders are committed. */
export type EnqueuePlacements = (jobs: PlacementJobRef[]) => Promise<void>;

/**
 * How long a session holding an earlier PaymentIntent stays untouched before the abandoned-payment sweep acts on it:
 * long enough that a shopper returning from 3-D Secure places it themselves, under their own Idempotency-Key.
 */
export const ABANDONED_PAYMENT_AFTER_MS = 5 * 60_000;

/**
 * Place: one payment for the whole snapshot, then one order per store, then placement.
 *
 * Steps and their undo / resume:
 *  1. claim the session (pending → processing, attempt + 1, lease)   undo: release to pending
 *     and hold one use of its promo code (under the code's lock)    used up → release, 422; declined → given back
 *  2. charge with key `<session>:charge:<attempt>`                    declined → release; crash → step 2 again
 *                                                                     with the same key replays the outcome
 *  3. one statement: session placed, charge in the ledger, orders     crash before commit → recovery redoes 2–3
 *  4. enqueue placements                                              lost → the pending-order sweeper
 * No outside call happens inside a database transaction.
 */
export function createPlaceCheckoutService(deps: ServiceDeps, enqueuePlacements: EnqueuePlacements, promotions: PromotionService) {
  const { db, clock, payments, settings, logger, crashpoint } = deps;
  const leaseUntil = (now: Date) => new Date(now.getTime() + settings.placeLeaseMs);

  async function alreadyPlaced(session: CheckoutSessionRecord, idempotencyKey: string): Promise<PlaceResult> {
    if (session.placeIdempotencyKey !== idempotencyKey) {
      throw new DomainError('session_already_placed', 'The checkout session has already been placed', {
        paymentIntentId: session.paymentIntentId,
      });
    }
    return placedResult(session);
  }

  /** A placed session as `place` answers it, read back (a replay, or a place someone else finished). */
  async function placedResult(session: CheckoutSessionRecord): Promise<PlaceResult> {
    const [orders, payment] = await Promise.all([listSessionOrders(db, [session.id]), findTransactionByKey(db, chargeKey(session))]);
    return { session, orders, payment: payment?.type === 'authorization' ? 'authorized' : 'charged' };
  }

  /**
   * The PaymentIntent an earlier attempt left open (3-D Secure) decides this attempt: paid (or being paid) is used,
   * never charged again; still awaiting the shopper's authentication is asked again. One that can no longer pay for
   * this snapshot (authentication failed, another total) is cancelled before a new one is made: the shopper's device
   * still holds its client secret and could otherwise confirm it later.
   */
  async function outcomeOfEarlierPayment(session: CheckoutSessionRecord): Promise<PaymentOutcome | null> {
    if (!session.paymentIntentId) return null;
    const earlier = await payments.retrieve(session.paymentIntentId);
    // A paid one for another amount is not replaced either: settle refuses it loudly rather than charge twice.
    const usable = earlier.status === 'succeeded' || earlier.status === 'processing' || paysFor(session, earlier);
    const outcome = usable ? asOutcome(earlier) : null;
    if (outcome) return outcome;
    return asOutcome(await cancelEarlierPayment(deps, session, earlier.paymentIntentId, earlier));
  }

  async function charge(session: CheckoutSessionRecord): Promise<PaymentOutcome> {
    crashpoint('place.before_charge');
    try {
      const earlier = session.paymentAttempt > 1 ? await outcomeOfEarlierPayment(session) : null;
      return (
        earlier ??
        (await payments.charge({
          amountCents: session.totalCents,
          currency: session.currency,
          paymentMethodId: session.paymentMethodId!,
          idempotencyKey: chargeKey(session),
          // after_placement only holds the money here; the capture service takes what was placed once it is known.
          captureMethod: settings.capturePolicy === 'after_placement' ? 'manual' : 'automatic',
          description: `Checkout ${session.id}`,
          metadata: { checkout_session_id: session.id, user_id: session.userId, attempt: String(session.paymentAttempt) },
        }))
      );
    } catch (error) {
      if (error instanceof PaymentGatewayUnavailableError) {
        // The outcome is unknown: let the next try (the shopper's retry or recovery) take over at once;
        // it replays this attempt's key, so the provider answers with whatever really happened.
        await sessions.expireLease(db, session.id, session.paymentAttempt, clock.now());
      }
      throw error;
    }
  }

  async function settle(session: CheckoutSessionRecord, outcome: PaymentOutcome): Promise<PlaceResult> {
    const now = clock.now();
    if (outcome.kind === 'declined' || outcome.kind === 'refused') {
      // Nothing was charged: the failed attempt is a ledger row and the session is payable (or cancellable) again.
      const declined = outcome.kind === 'declined';
      await recordTransaction(db, {
        checkoutSessionId: session.id,
        type: 'charge',
        status: 'failed',
        amountCents: session.totalCents,
        currency: session.currency,
        stripePaymentIntentId: declined ? (outcome.paymentIntentId ?? null) : null,
        idempotencyKey: chargeKey(session),
        failureCode: declined ? outcome.declineCode : outcome.code,
      });
      // Before the session is let go, while this attempt still holds it: a later attempt's hold is never released.
      await promotions.releaseAttemptHold(session);
      await sessions.releasePlacement(db, session.id, session.paymentAttempt, now, null);
      if (!declined) throw paymentRefused(outcome);
      throw new DomainError('payment_declined', outcome.message || 'The card was declined', { declineCode: outcome.declineCode });
    }
    if (outcome.kind === 'requires_action') {
      await sessions.releasePlacement(db, session.id, session.paymentAttempt, now, outcome.paymentIntentId);
      throw new DomainError('payment_requires_action', 'The card needs authentication (3-D Secure)', {
        clientSecret: outcome.clientSecret,
        paymentIntentId: outcome.paymentIntentId,
      });
    }
    if (outcome.kind === 'processing') {
      // Its end is not known yet: a new charge now could take the money twice. The shopper's retry (the key is not
      // saved for this answer) or the abandoned-payment sweep finishes the place once it has succeeded.
      await sessions.releasePlacement(db, session.id, session.paymentAttempt, now, outcome.paymentIntentId);
      throw new DomainError('request_in_progress', 'The payment for this checkout is still being processed; place it again shortly', {
        paymentIntentId: outcome.paymentIntentId,
      });
    }
    if (outcome.amountCents !== session.totalCents) {
      // Never expected: the amount is ours. Stop before writing orders that would not balance the ledger.
      logger.error({ sessionId: session.id, outcome }, 'payment amount differs from the session total');
      throw new Error(`payment ${outcome.paymentIntentId} amount ${outcome.amountCents} ≠ session total ${session.totalCents}`);
    }
    return writeOrders(session, outcome.paymentIntentId, outcome.kind === 'succeeded' ? 'charge' : 'authorization');
  }

  async function writeOrders(
    session: CheckoutSessionRecord,
    paymentIntentId: string,
    movement: 'charge' | 'authorization',
  ): Promise<PlaceResult> {
    const now = clock.now();
    const newOrders = session.cartSnapshot.stores.map((store) => toNewOrder(session, store));
    const orders = await recordPaidCheckout(
      db,
      {
        sessionId: session.id,
        paymentAttempt: session.paymentAttempt,
        paymentIntentId,
        movement,
        captureDueAt: movement === 'authorization' ? new Date(now.getTime() + CAPTURE_DEADLINE_MS) : null,
        amountCents: session.totalCents,
        currency: session.currency,
        idempotencyKey: chargeKey(session),
        orders: newOrders,
        boughtCartItemIds: session.cartSnapshot.stores.flatMap((store) => store.items.map((item) => item.cartItemId)),
        promotion: session.cartSnapshot.promotion
          ? { promotionId: session.cartSnapshot.promotion.promotionId, discountCents: session.cartSnapshot.summary.discountCents ?? 0 }
          : null,
      },
      now,
    );
    if (!orders) {
      // Someone else (recovery, a reclaiming retry) finished this attempt first: theirs is the result.
      const current = (await sessions.findSession(db, session.id))!;
      if (!isPaidSessionStatus(current.status)) throw notEditable(current, now);
      return placedResult(current);
    }
    crashpoint('place.after_orders');
    await enqueue(newOrders.map((order) => ({ orderNumber: order.orderNumber, storeId: order.storeId })));
    // What this place wrote, as committed: the orders are `pending` here even if a worker has started on them.
    const paid: CheckoutSessionRecord = { ...session, status: 'placed', paymentIntentId, leaseExpiresAt: null, placedAt: now };
    return { session: paid, orders, payment: movement === 'charge' ? 'charged' : 'authorized' };
  }

  async function enqueue(jobs: PlacementJobRef[]): Promise<void> {
    try {
      await enqueuePlacements(jobs);
    } catch (error) {
      // The orders are committed; the pending-order sweeper enqueues whatever did not make it.
      logger.warn({ err: error, jobs: jobs.length }, 'enqueue after commit failed; the sweeper will retry');
    }
  }

  /** A code's last use may have gone to another checkout meanwhile: then nothing is charged. */
  async function holdPromoCode(session: CheckoutSessionRecord): Promise<void> {
    try {
      await promotions.holdUse(session);
    } catch (error) {
      if (error instanceof DomainError) await sessions.releasePlacement(db, session.id, session.paymentAttempt, clock.now(), session.paymentIntentId);
      throw error;
    }
  }

  async function pay(session: CheckoutSessionRecord): Promise<PlaceResult> {
    await holdPromoCode(session);
    const outcome = await charge(session);
    crashpoint('place.after_charge');
    return settle(session, outcome);
  }

  /**
   * Places a pending session, even past its expiry, with an earlier PaymentIntent the shopper has paid: the payment
   * bought exactly this frozen snapshot. Null when another place took the session first.
   */
  async function finishWithPayment(session: CheckoutSessionRecord, payment: PaymentSnapshot, idempotencyKey: string | null) {
    const now = clock.now();
    const claimed = await sessions.claimPaidSession(db, session.id, payment.paymentIntentId, idempotencyKey, now, leaseUntil(now));
    return claimed ? settle(claimed, asOutcome(payment)!) : null;
  }

  /** One session of the abandoned-payment sweep; true when it placed or refunded it. */
  async function recoverAbandonedPayment(session: CheckoutSessionRecord, now: Date): Promise<boolean> {
    const paymentIntentId = session.paymentIntentId!;
    let payment = await payments.retrieve(paymentIntentId);
    const stillOpen = effectiveStatus(session, now) === 'pending';
    // A cancelled session's authorization is released, never used: cancelling let go of it already, or should have.
    const completed = completedFor(session, payment) && (payment.status === 'succeeded' || session.status === 'pending');
    if (!stillOpen && !completed && payment.status !== 'processing') {
      // Expired or cancelled unpaid: it must never take money now (a shopper finishing 3-D Secure meanwhile wins).
      payment = await cancelEarlierPayment(deps, session, paymentIntentId, payment);
      if (payment.status === 'canceled') await sessions.forgetEarlierPayment(db, session.id, paymentIntentId, now);
    }
    // Processing is left for a later sweep; an open session's unpaid one for the shopper, still authenticating.
    if (payment.status !== 'succeeded' && !completed) return false;
    if (!paysFor(session, payment)) {
      logger.error({ sessionId: session.id, paymentIntentId, amountCents: payment.amountCents }, 'paid PaymentIntent does not match its session; needs ops');
      return false;
    }
    if (session.status === 'cancelled') {
      // Cancelling checks the payment first and refuses a paid one, so this is never expected: no orders exist to
      // refund against, and the money must not be kept quietly.
      logger.error({ sessionId: session.id, paymentIntentId }, 'a cancelled checkout holds a paid PaymentIntent; needs ops');
      return false;
    }
    return (await finishWithPayment(session, payment, null)) !== null;
  }

  return {
    async place(principal: Principal, sessionId: string, idempotencyKey: string): Promise<PlaceResult> {
      const now = clock.now();
      // The usual case in one statement: the shopper's own pending, complete session is claimed straight away.
      // Anything else (a replay, a race, a missing field) is worked out from the row below.
      const claimedAtOnce = await sessions.beginPlacement(db, sessionId, principal.userId, idempotencyKey, now, leaseUntil(now));
      if (claimedAtOnce) return pay(claimedAtOnce);

      const session = await loadVisibleSession(deps, principal, sessionId, true);
      if (isPaidSessionStatus(session.status)) return alreadyPlaced(session, idempotencyKey);
      if (session.status === 'processing') {
        const reclaimed = await sessions.reclaimPlacement(db, session.id, now, leaseUntil(now));
        if (!reclaimed) throw new DomainError('request_in_progress', 'The checkout session is being placed');
        return pay(reclaimed);
      }
      if (effectiveStatus(session, now) !== 'pending') {
        // Paid (3-D Secure completed) just before it expired: that payment still buys this snapshot.
        const payment = session.status === 'pending' && session.paymentIntentId ? await payments.retrieve(session.paymentIntentId) : null;
        const finished = payment && completedFor(session, payment) && paysFor(session, payment) ? await finishWithPayment(session, payment, idempotencyKey) : null;
        if (finished) return finished;
        const current = payment ? (await sessions.findSession(db, session.id))! : session;
        if (isPaidSessionStatus(current.status)) return alreadyPlaced(current, idempotencyKey);
        throw notEditable(current, now);
      }
      const missing = [
        ...(session.shippingAddress ? [] : ['shippingAddress']),
        ...(session.paymentMethodId ? [] : ['paymentMethod']),
      ];
      if (missing.length > 0) {
        throw new DomainError('session_incomplete', `Set ${missing.join(' and ')} before placing`, { missing });
      }
      const claimed = await sessions.beginPlacement(db, session.id, session.userId, idempotencyKey, now, leaseUntil(now));
      if (!claimed) {
        const current = (await sessions.findSession(db, session.id))!;
        if (isPaidSessionStatus(current.status)) return alreadyPlaced(current, idempotencyKey);
        throw notEditable(current, now);
      }
      return pay(claimed);
    },

    /** Finishes places whose process died mid-way (lease expired). Safe to run on many instances at once. */
    async recoverStalePlacements(limit = 50): Promise<number> {
      const now = clock.now();
      let recovered = 0;
      const startedAfter = new Date(now.getTime() - IDEMPOTENCY_KEY_TRUSTED_FOR_MS);
      const { resumable, tooOld } = await sessions.listStaleProcessingSessions(db, now, startedAfter, limit);
      if (tooOld.length > 0) {
        // Stripe may have forgotten these attempts' keys: a repeated charge could take the money a second time.
        logger.error({ sessionIds: tooOld }, 'place attempts still unfinished after a day are not retried; they need ops');
      }
      for (const stale of resumable) {
        const reclaimed = await sessions.reclaimPlacement(db, stale.id, now, leaseUntil(now));
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
    },

    /**
     * The abandoned-payment sweep, for sessions holding a PaymentIntent from an earlier place (3-D Secure) and left
     * alone for ABANDONED_PAYMENT_AFTER_MS. A pending one the shopper paid is placed with that payment through the
     * usual one-statement write, even past its expiry; an expired or cancelled one's unpaid PaymentIntent is
     * cancelled. Safe to run on many instances at once. Returns how many checkouts it placed.
     */
    async recoverAbandonedPayments(limit = 50): Promise<number> {
      const now = clock.now();
      const olderThan = new Date(now.getTime() - ABANDONED_PAYMENT_AFTER_MS);
      let recovered = 0;
      for (const session of await sessions.listSessionsWithEarlierPayment(db, olderThan, limit)) {
        try {
          if (await recoverAbandonedPayment(session, now)) recovered += 1;
        } catch (error) {
          const expected = error instanceof DomainError || error instanceof PaymentGatewayUnavailableError;
          logger[expected ? 'warn' : 'error']({ err: error, sessionId: session.id }, 'abandoned payment not recovered yet');
        }
      }
      return recovered;
    },
  };
}

export type PlaceCheckoutService = ReturnType<typeof createPlaceCheckoutService>;
