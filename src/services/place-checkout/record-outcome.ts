import { DomainError } from '../../domain/errors';
import { isPaidSessionStatus } from '../../domain/session-status';
import * as sessions from '../../repositories/checkout-sessions-repository';
import type { CheckoutSessionRecord } from '../../domain/checkout-session';
import { recordPaidCheckout } from '../../repositories/paid-checkout-repository';
import { recordTransaction } from '../../repositories/payment-transactions-repository';
import { CAPTURE_DEADLINE_MS } from '../capture-service';
import { notEditable } from '../checkout-service';
import { paymentRefused, type PaymentOutcome } from '../earlier-payment';
import { toNewOrder } from '../store-orders';
import { createStep } from '../saga-step';
import { enqueuePlacements } from './enqueue-placements';
import { chargeKey, placedResult, type PlaceContext, type PlaceResult } from './place-context';

type Unpaid = Extract<PaymentOutcome, { kind: 'declined' | 'refused' }>;
type Paid = Extract<PaymentOutcome, { kind: 'succeeded' | 'authorized' }>;

/**
 * Nothing was charged: the failed attempt is a ledger row, the promo code's use is given back and the session is
 * payable (or cancellable) again; the shopper is told why.
 */
async function recordUnpaid(ctx: PlaceContext, session: CheckoutSessionRecord, outcome: Unpaid): Promise<never> {
  const { db, clock } = ctx.deps;
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
  await ctx.promotions.releaseAttemptHold(session);
  await sessions.releasePlacement(db, session.id, session.paymentAttempt, clock.now(), null);
  if (!declined) throw paymentRefused(outcome);
  throw new DomainError('payment_declined', outcome.message || 'The card was declined', {
    declineCode: outcome.declineCode,
  });
}

/**
 * Step 3: one statement writes the session placed, the charge (or authorization) in the ledger and one order per
 * store. A crash before it commits is resumed by recovery (steps 2–3 again); a place someone else finished first
 * answers theirs. Then step 4, the placements.
 */
export const recordPaid = createStep(
  'record-paid',
  async (ctx: PlaceContext, input: { session: CheckoutSessionRecord; outcome: Paid }): Promise<PlaceResult> => {
    const { db, clock, crashpoint } = ctx.deps;
    const { session, outcome } = input;
    const now = clock.now();
    const movement = outcome.kind === 'succeeded' ? 'charge' : 'authorization';
    const paymentIntentId = outcome.paymentIntentId;
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
          ? {
              promotionId: session.cartSnapshot.promotion.promotionId,
              discountCents: session.cartSnapshot.summary.discountCents ?? 0,
            }
          : null,
      },
      now,
    );
    if (!orders) {
      // Someone else (recovery, a reclaiming retry) finished this attempt first: theirs is the result.
      const current = (await sessions.findSession(db, session.id))!;
      if (!isPaidSessionStatus(current.status)) throw notEditable(current, now);
      return placedResult(ctx, current);
    }
    crashpoint('place.after_orders');
    await enqueuePlacements.invoke(
      ctx,
      newOrders.map((order) => ({
        orderNumber: order.orderNumber,
        storeId: order.storeId,
        method: order.placementMethod,
      })),
    );
    // What this place wrote, as committed: the orders are `pending` here even if a worker has started on them.
    const paid: CheckoutSessionRecord = {
      ...session,
      status: 'placed',
      paymentIntentId,
      leaseExpiresAt: null,
      placedAt: now,
    };
    return { session: paid, orders, payment: movement === 'charge' ? 'charged' : 'authorized' };
  },
);

/**
 * What the charge's outcome means for the session. Paid: the orders are written (`recordPaid`). Declined or refused:
 * recorded and let go. Awaiting 3-D Secure, or still processing: let go with its PaymentIntent, for the shopper's
 * retry or the abandoned-payment sweep to finish.
 */
export async function recordOutcome(
  ctx: PlaceContext,
  session: CheckoutSessionRecord,
  outcome: PaymentOutcome,
): Promise<PlaceResult> {
  const { db, clock, logger } = ctx.deps;
  const now = clock.now();
  if (outcome.kind === 'declined' || outcome.kind === 'refused') return recordUnpaid(ctx, session, outcome);
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
    throw new DomainError(
      'request_in_progress',
      'The payment for this checkout is still being processed; place it again shortly',
      {
        paymentIntentId: outcome.paymentIntentId,
      },
    );
  }
  if (outcome.amountCents !== session.totalCents) {
    // Never expected: the amount is ours. Stop before writing orders that would not balance the ledger.
    logger.error({ sessionId: session.id, outcome }, 'payment amount differs from the session total');
    throw new Error(
      `payment ${outcome.paymentIntentId} amount ${outcome.amountCents} ≠ session total ${session.totalCents}`,
    );
  }
  return recordPaid.invoke(ctx, { session, outcome });
}
