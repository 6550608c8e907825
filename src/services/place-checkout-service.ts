import type { SnapshotStore } from '../domain/cart-snapshot';
import { DomainError } from '../domain/errors';
import { newOrderNumber } from '../domain/ids';
import type { Principal } from '../domain/principal';
import { PAID_SESSION_STATUSES } from '../domain/session-status';
import { PaymentGatewayUnavailableError, type ChargeOutcome } from '../payments/payment-gateway';
import * as sessions from '../repositories/checkout-sessions-repository';
import type { CheckoutSessionRecord } from '../repositories/checkout-sessions-repository';
import { listSessionOrders, type NewOrder, type OrderRecord } from '../repositories/orders-repository';
import { recordPaidCheckout } from '../repositories/paid-checkout-repository';
import { recordTransaction } from '../repositories/payment-transactions-repository';
import { effectiveStatus, loadVisibleSession, notEditable } from './checkout-service';
import type { ServiceDeps } from './service-deps';

export interface PlaceResult {
  session: CheckoutSessionRecord;
  orders: OrderRecord[];
}

export interface PlacementJobRef {
  orderNumber: string;
  storeId: string;
}

/** Hands freshly written orders to placement. Called only after the orders are committed. */
export type EnqueuePlacements = (jobs: PlacementJobRef[]) => Promise<void>;

/** The provider idempotency key of one payment attempt: a retry of the same attempt can never charge twice. */
export const chargeKey = (session: Pick<CheckoutSessionRecord, 'id' | 'paymentAttempt'>) =>
  `${session.id}:charge:${session.paymentAttempt}`;

/**
 * Place: one payment for the whole snapshot, then one order per store, then placement.
 *
 * Steps and their undo / resume:
 *  1. claim the session (pending → processing, attempt + 1, lease)   undo: release to pending
 *  2. charge with key `<session>:charge:<attempt>`                    declined → release; crash → step 2 again
 *                                                                     with the same key replays the outcome
 *  3. one statement: session placed, charge in the ledger, orders     crash before commit → recovery redoes 2–3
 *  4. enqueue placements                                              lost → the pending-order sweeper
 * No outside call happens inside a database transaction.
 */
export function createPlaceCheckoutService(deps: ServiceDeps, enqueuePlacements: EnqueuePlacements) {
  const { db, clock, payments, settings, logger, crashpoint } = deps;
  const leaseUntil = (now: Date) => new Date(now.getTime() + settings.placeLeaseMs);

  async function alreadyPlaced(session: CheckoutSessionRecord, idempotencyKey: string): Promise<PlaceResult> {
    if (session.placeIdempotencyKey !== idempotencyKey) {
      throw new DomainError('session_already_placed', 'The checkout session has already been placed', {
        paymentIntentId: session.paymentIntentId,
      });
    }
    return { session, orders: await listSessionOrders(db, [session.id]) };
  }

  /** A 3-D Secure payment from an earlier attempt that the shopper has since completed is used, not re-charged. */
  async function outcomeOfEarlierPayment(session: CheckoutSessionRecord): Promise<ChargeOutcome | null> {
    if (!session.paymentIntentId) return null;
    const earlier = await payments.retrieve(session.paymentIntentId);
    // Choosing another payment method clears the session's paymentIntentId, so a match here is this charge.
    const sameCharge = earlier.amountCents === session.totalCents && earlier.metadata.checkout_session_id === session.id;
    if (!sameCharge) return null;
    if (earlier.status === 'succeeded') {
      return { kind: 'succeeded', paymentIntentId: earlier.paymentIntentId, amountCents: earlier.amountCents, capturedCents: earlier.capturedCents };
    }
    if (earlier.status === 'requires_action' && earlier.clientSecret) {
      return { kind: 'requires_action', paymentIntentId: earlier.paymentIntentId, clientSecret: earlier.clientSecret };
    }
    return null;
  }

  async function charge(session: CheckoutSessionRecord): Promise<ChargeOutcome> {
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
          captureMethod: 'automatic',
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

  async function settle(session: CheckoutSessionRecord, outcome: ChargeOutcome): Promise<PlaceResult> {
    const now = clock.now();
    if (outcome.kind === 'declined') {
      await recordTransaction(db, {
        checkoutSessionId: session.id,
        type: 'charge',
        status: 'failed',
        amountCents: session.totalCents,
        currency: session.currency,
        stripePaymentIntentId: outcome.paymentIntentId ?? null,
        idempotencyKey: chargeKey(session),
        failureCode: outcome.declineCode,
      });
      await sessions.releasePlacement(db, session.id, session.paymentAttempt, now, null);
      throw new DomainError('payment_declined', outcome.message || 'The card was declined', { declineCode: outcome.declineCode });
    }
    if (outcome.kind === 'requires_action') {
      await sessions.releasePlacement(db, session.id, session.paymentAttempt, now, outcome.paymentIntentId);
      throw new DomainError('payment_requires_action', 'The card needs authentication (3-D Secure)', {
        clientSecret: outcome.clientSecret,
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
        amountCents: session.totalCents,
        currency: session.currency,
        idempotencyKey: chargeKey(session),
        orders: newOrders,
        boughtCartItemIds: session.cartSnapshot.stores.flatMap((store) => store.items.map((item) => item.cartItemId)),
      },
      now,
    );
    if (!orders) {
      // Someone else (recovery, a reclaiming retry) finished this attempt first: theirs is the result.
      const current = (await sessions.findSession(db, session.id))!;
      if (!(PAID_SESSION_STATUSES as readonly string[]).includes(current.status)) throw notEditable(current, now);
      return { session: current, orders: await listSessionOrders(db, [session.id]) };
    }
    crashpoint('place.after_orders');
    await enqueue(newOrders.map((order) => ({ orderNumber: order.orderNumber, storeId: order.storeId })));
    // What this place wrote, as committed: the orders are `pending` here even if a worker has started on them.
    const paid: CheckoutSessionRecord = { ...session, status: 'placed', paymentIntentId, leaseExpiresAt: null, placedAt: now };
    return { session: paid, orders };
  }

  async function enqueue(jobs: PlacementJobRef[]): Promise<void> {
    try {
      await enqueuePlacements(jobs);
    } catch (error) {
      // The orders are committed; the pending-order sweeper enqueues whatever did not make it.
      logger.warn({ err: error, jobs: jobs.length }, 'enqueue after commit failed; the sweeper will retry');
    }
  }

  async function pay(session: CheckoutSessionRecord): Promise<PlaceResult> {
    const outcome = await charge(session);
    crashpoint('place.after_charge');
    return settle(session, outcome);
  }

  return {
    async place(principal: Principal, sessionId: string, idempotencyKey: string): Promise<PlaceResult> {
      const now = clock.now();
      // The usual case in one statement: the shopper's own pending, complete session is claimed straight away.
      // Anything else (a replay, a race, a missing field) is worked out from the row below.
      const claimedAtOnce = await sessions.beginPlacement(db, sessionId, principal.userId, idempotencyKey, now, leaseUntil(now));
      if (claimedAtOnce) return pay(claimedAtOnce);

      const session = await loadVisibleSession(deps, principal, sessionId, true);
      if ((PAID_SESSION_STATUSES as readonly string[]).includes(session.status)) return alreadyPlaced(session, idempotencyKey);
      if (session.status === 'processing') {
        const reclaimed = await sessions.reclaimPlacement(db, session.id, now, leaseUntil(now));
        if (!reclaimed) throw new DomainError('request_in_progress', 'The checkout session is being placed');
        return pay(reclaimed);
      }
      if (effectiveStatus(session, now) !== 'pending') throw notEditable(session, now);
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
        if ((PAID_SESSION_STATUSES as readonly string[]).includes(current.status)) return alreadyPlaced(current, idempotencyKey);
        throw notEditable(current, now);
      }
      return pay(claimed);
    },

    /** Finishes places whose process died mid-way (lease expired). Safe to run on many instances at once. */
    async recoverStalePlacements(limit = 50): Promise<number> {
      const now = clock.now();
      let recovered = 0;
      for (const stale of await sessions.listStaleProcessingSessions(db, now, limit)) {
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
  };
}

function toNewOrder(session: CheckoutSessionRecord, store: SnapshotStore): NewOrder {
  return {
    orderNumber: newOrderNumber(),
    checkoutSessionId: session.id,
    storeId: store.storeId,
    userId: session.userId,
    placementMethod: store.placementMethod,
    currency: session.currency,
    subtotalCents: store.subtotalCents,
    shippingCents: store.shippingCents,
    taxCents: store.taxCents,
    totalCents: store.totalCents,
    shippingAddress: session.shippingAddress!,
    items: store.items.map((item) => ({
      productId: item.productId,
      sku: item.sku,
      name: item.name,
      size: item.size ?? '',
      color: item.color ?? '',
      productUrl: item.productUrl,
      imageUrl: item.imageUrl,
      quantity: item.quantity,
      unitPriceCents: item.unitPriceCents,
      totalPriceCents: item.totalPriceCents,
    })),
  };
}

export type PlaceCheckoutService = ReturnType<typeof createPlaceCheckoutService>;
