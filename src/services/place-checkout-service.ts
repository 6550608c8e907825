import { DomainError } from '../domain/errors';
import type { Principal } from '../domain/principal';
import { isPaidSessionStatus } from '../domain/session-status';
import type { EnqueuePlacements } from '../queue/placement-queue';
import * as sessions from '../repositories/checkout-sessions-repository';
import type { CheckoutSessionRecord } from '../domain/checkout-session';
import { effectiveStatus, loadVisibleSession, notEditable } from './checkout-service';
import { completedFor, paysFor } from './earlier-payment';
import { charge } from './place-checkout/charge';
import { holdPromoCode } from './place-checkout/hold-promo-code';
import { alreadyPlaced, leaseUntil, type PlaceContext, type PlaceResult } from './place-checkout/place-context';
import { finishWithPayment, recoverAbandonedPayments, recoverStalePlacements } from './place-checkout/recover-place';
import { recordOutcome } from './place-checkout/record-outcome';
import type { PromotionService } from './promotion-service';
import type { ServiceDeps } from './service-deps';

export { chargeKey, type PlaceResult } from './place-checkout/place-context';
export { ABANDONED_PAYMENT_AFTER_MS } from './place-checkout/recover-place';

const isPaid = (session: CheckoutSessionRecord) => isPaidSessionStatus(session.status);

/**
 * Steps 1b–4 on a session this place has claimed: hold its promo code, charge, record the outcome (the paid write
 * and the enqueue). Each step lives in src/services/place-checkout/ with its undo beside it.
 */
async function pay(ctx: PlaceContext, session: CheckoutSessionRecord): Promise<PlaceResult> {
  await holdPromoCode.invoke(ctx, session);
  const outcome = await charge.invoke(ctx, session);
  ctx.deps.crashpoint('place.after_charge');
  return recordOutcome(ctx, session, outcome);
}

/**
 * Step 1: claim the session (pending → processing, attempt + 1, lease), or work out from the row why not: a replay
 * of this place, a place in progress (taken over once its lease is out), a session paid just before it expired, an
 * incomplete or no longer editable one. Undo: the claim is released to pending by whichever later step stops.
 */
async function claimAndPay(
  ctx: PlaceContext,
  principal: Principal,
  sessionId: string,
  idempotencyKey: string,
): Promise<PlaceResult> {
  const { db, clock, payments } = ctx.deps;
  const now = clock.now();
  // The usual case in one statement: the shopper's own pending, complete session is claimed straight away.
  const claimedAtOnce = await sessions.beginPlacement(
    db,
    sessionId,
    principal.userId,
    idempotencyKey,
    now,
    leaseUntil(ctx, now),
  );
  if (claimedAtOnce) return pay(ctx, claimedAtOnce);

  const session = await loadVisibleSession(ctx.deps, principal, sessionId, true);
  if (isPaid(session)) return alreadyPlaced(ctx, session, idempotencyKey);
  if (session.status === 'processing') {
    const reclaimed = await sessions.reclaimPlacement(db, session.id, now, leaseUntil(ctx, now));
    if (!reclaimed) throw new DomainError('request_in_progress', 'The checkout session is being placed');
    return pay(ctx, reclaimed);
  }
  if (effectiveStatus(session, now) !== 'pending') {
    // Paid (3-D Secure completed) just before it expired: that payment still buys this snapshot.
    const payment =
      session.status === 'pending' && session.paymentIntentId ? await payments.retrieve(session.paymentIntentId) : null;
    const finished =
      payment && completedFor(session, payment) && paysFor(session, payment)
        ? await finishWithPayment(ctx, session, payment, idempotencyKey)
        : null;
    if (finished) return finished;
    const current = payment ? (await sessions.findSession(db, session.id))! : session;
    if (isPaid(current)) return alreadyPlaced(ctx, current, idempotencyKey);
    throw notEditable(current, now);
  }
  const missing = [
    ...(session.shippingAddress ? [] : ['shippingAddress']),
    ...(session.paymentMethodId ? [] : ['paymentMethod']),
  ];
  if (missing.length > 0) {
    throw new DomainError('session_incomplete', `Set ${missing.join(' and ')} before placing`, { missing });
  }
  const claimed = await sessions.beginPlacement(
    db,
    session.id,
    session.userId,
    idempotencyKey,
    now,
    leaseUntil(ctx, now),
  );
  if (!claimed) {
    const current = (await sessions.findSession(db, session.id))!;
    if (isPaid(current)) return alreadyPlaced(ctx, current, idempotencyKey);
    throw notEditable(current, now);
  }
  return pay(ctx, claimed);
}

/**
 * Place: one payment for the whole snapshot, then one order per store, then placement.
 *
 * Steps (src/services/place-checkout/) and their undo / resume:
 *  1. claim the session (pending → processing, attempt + 1, lease)   undo: release to pending
 *     hold-promo-code: one use of its code (under the code's lock)  used up → release, 422; declined → given back
 *  2. charge with key `<session>:charge:<attempt>`                    declined → release; crash → step 2 again
 *                                                                     with the same key replays the outcome
 *  3. record-paid, one statement: session placed, charge in the      crash before commit → recovery redoes 2–3
 *     ledger, orders
 *  4. enqueue-placements                                              lost → the pending-order sweeper
 * No outside call happens inside a database transaction.
 */
export function createPlaceCheckoutService(
  deps: ServiceDeps,
  enqueuePlacements: EnqueuePlacements,
  promotions: PromotionService,
) {
  const ctx: PlaceContext = { deps, promotions, enqueuePlacements };
  return {
    place: (principal: Principal, sessionId: string, idempotencyKey: string): Promise<PlaceResult> =>
      claimAndPay(ctx, principal, sessionId, idempotencyKey),

    /** Finishes places whose process died mid-way (lease expired). Safe to run on many instances at once. */
    recoverStalePlacements: (limit = 50): Promise<number> =>
      recoverStalePlacements(ctx, (session) => pay(ctx, session), limit),

    /** The abandoned-payment sweep (see `recoverAbandonedPayments`). Returns how many checkouts it placed. */
    recoverAbandonedPayments: (limit = 50): Promise<number> => recoverAbandonedPayments(ctx, limit),
  };
}

export type PlaceCheckoutService = ReturnType<typeof createPlaceCheckoutService>;
