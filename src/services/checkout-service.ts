import type { ShippingAddress } from '../domain/address';
import type { CartSnapshot } from '../domain/cart-snapshot';
import { DomainError } from '../domain/errors';
import { newCheckoutSessionId } from '../domain/ids';
import { assertPayableTotal } from '../domain/limits';
import { sumCents } from '../domain/money';
import { canSeeAllUsers, type Principal } from '../domain/principal';
import { isPaidSessionStatus, type SessionStatus } from '../domain/session-status';
import { readCart, type CartLine } from '../repositories/carts-repository';
import * as sessions from '../repositories/checkout-sessions-repository';
import type { CheckoutSessionRecord } from '../domain/checkout-session';
import { listSessionOrders } from '../repositories/orders-repository';
import type { OrderRecord } from '../domain/order';
import { applyTax, buildSnapshot, chooseShipping, type PricedStoreInput } from './pricing';
import { withShippingOptions, type ShippingQuotes } from './shipping-quotes';
import type { PromotionService } from './promotion-service';
import { cancelEarlierPayment, isPaid, paymentAlreadyCompleted } from './earlier-payment';
import type { ServiceDeps } from './service-deps';

export interface CheckoutSessionView {
  session: CheckoutSessionRecord;
  status: SessionStatus;
  orders: OrderRecord[] | null;
}

/** Derived status: a pending session past its expiry is expired, whatever the row says. */
export function effectiveStatus(session: CheckoutSessionRecord, now: Date): SessionStatus {
  return session.status === 'pending' && session.expiresAt <= now ? 'expired' : session.status;
}

/** Loads a session the caller may see. Another shopper's session is indistinguishable from a missing one. */
export async function loadVisibleSession(deps: ServiceDeps, principal: Principal, sessionId: string, forWrite = false) {
  const session = await sessions.findSession(deps.db, sessionId);
  const mayAccess = session && (session.userId === principal.userId || (!forWrite && canSeeAllUsers(principal)));
  if (!session || !mayAccess) throw new DomainError('not_found', 'Checkout session not found');
  return session;
}

/** Why a session cannot be changed or paid now, as the contract's error. */
export function notEditable(session: CheckoutSessionRecord, now: Date): DomainError {
  const status = effectiveStatus(session, now);
  if (status === 'expired')
    return new DomainError('session_expired', 'The checkout session has expired; start a new checkout');
  if (status === 'cancelled') return new DomainError('session_not_editable', 'The checkout session was cancelled');
  if (status === 'processing') return new DomainError('request_in_progress', 'The checkout session is being placed');
  return new DomainError('session_already_placed', 'The checkout session has already been placed');
}

/** Whether a change makes the session's earlier PaymentIntent unusable: another payment method, or another total. */
function voidsEarlierPayment(session: CheckoutSessionRecord, changes: sessions.PendingSessionChanges): boolean {
  const otherMethod = changes.paymentMethodId !== undefined && changes.paymentMethodId !== session.paymentMethodId;
  const otherTotal = changes.snapshot !== undefined && changes.snapshot.summary.totalCents !== session.totalCents;
  return otherMethod || otherTotal;
}

/** A change found another earlier payment every time it tried: a place keeps running in between. */
const keepsChanging = () => new DomainError('request_in_progress', 'The checkout session is being placed; try again');

function groupByStore(lines: CartLine[]): PricedStoreInput[] {
  const byStore = new Map<string, PricedStoreInput>();
  for (const line of lines) {
    let store = byStore.get(line.storeId);
    if (!store) {
      store = {
        storeId: line.storeId,
        storeSlug: line.storeSlug,
        storeName: line.storeName,
        placementMethod: line.placementMethod,
        shipping: { flatCents: line.shippingFlatCents, freeAboveCents: line.shippingFreeAboveCents },
        items: [],
      };
      byStore.set(line.storeId, store);
    }
    store.items.push({
      cartItemId: line.id,
      productId: line.productId,
      sku: line.sku,
      name: line.name,
      size: line.size,
      color: line.color,
      quantity: line.quantity,
      unitPriceCents: line.unitPriceCents,
      productUrl: line.productUrl,
      imageUrl: line.imageUrl,
    });
  }
  return [...byStore.values()];
}

/** Cart → frozen checkout session, and the edits allowed before it is placed. */
export function createCheckoutService(deps: ServiceDeps, promotions: PromotionService, shippingQuotes: ShippingQuotes) {
  const { db, clock, settings } = deps;

  async function view(session: CheckoutSessionRecord): Promise<CheckoutSessionView> {
    const hasOrders = session.paymentIntentId !== null && isPaidSessionStatus(session.status);
    return {
      session,
      status: effectiveStatus(session, clock.now()),
      orders: hasOrders ? await listSessionOrders(db, [session.id]) : null,
    };
  }

  /**
   * Settles the earlier PaymentIntent before a change that voids it: cancelled if it is still open, and the change
   * refused once the shopper has paid it (placing then finishes the checkout with that payment).
   */
  async function letGoOfEarlierPayment(session: CheckoutSessionRecord): Promise<void> {
    const payment = await cancelEarlierPayment(deps, session, session.paymentIntentId!);
    if (isPaid(payment)) throw paymentAlreadyCompleted(payment);
  }

  /**
   * Changes the shopper's pending session. A change that needs the current session (tax follows the address)
   * reads it first; one that does not is a single guarded UPDATE, and only a refusal reads the row to explain it.
   * The UPDATE holds only while the session keeps the earlier PaymentIntent this change has accounted for, so one
   * that a concurrent place left meanwhile is seen and settled on the next try rather than dropped.
   */
  async function update(
    principal: Principal,
    sessionId: string,
    change: sessions.PendingSessionChanges | ((session: CheckoutSessionRecord) => sessions.PendingSessionChanges),
  ): Promise<CheckoutSessionView> {
    let session = typeof change === 'function' ? await loadVisibleSession(deps, principal, sessionId, true) : null;
    for (let tries = 1; ; tries += 1) {
      const changes = typeof change === 'function' ? change(session!) : change;
      const seen = session?.paymentIntentId ?? null;
      const forget = session !== null && seen !== null && voidsEarlierPayment(session, changes);
      if (forget) await letGoOfEarlierPayment(session!);
      const now = clock.now();
      const updated = await sessions.updatePendingSession(db, sessionId, principal.userId, now, changes, {
        seen,
        forget,
      });
      if (updated) return view(updated);
      session = await loadVisibleSession(deps, principal, sessionId, true);
      if (effectiveStatus(session, now) !== 'pending') throw notEditable(session, now);
      if (session.paymentIntentId === seen || tries >= 3) throw keepsChanging();
    }
  }

  return {
    async createSession(principal: Principal): Promise<CheckoutSessionView> {
      const { lines, promotion, shipping } = await readCart(db, principal.userId);
      if (lines.length === 0) throw new DomainError('cart_empty', 'The cart is empty');
      const unavailable = lines.filter((line) => !line.available);
      if (unavailable.length > 0) {
        throw new DomainError('product_unavailable', 'Some items are no longer available; remove them to check out', {
          items: unavailable.map((line) => ({ id: line.id, sku: line.sku, storeId: line.storeId })),
        });
      }
      const currencies = new Set(lines.map((line) => line.storeCurrency));
      if (currencies.size > 1) {
        throw new DomainError('mixed_currencies', 'One checkout can only charge one currency', {
          currencies: [...currencies],
        });
      }
      const stores = groupByStore(lines);
      const code = await promotions.codeForCheckout(
        principal.userId,
        sumCents(lines.map((line) => line.unitPriceCents * line.quantity)),
        promotion,
      );
      for (const store of stores) store.shippingOptions = shipping.get(store.storeId)?.options ?? null;
      const built = buildSnapshot([...currencies][0], stores, code);
      // A retailer prices shipping for an address: until the shopper gives one, the configured options stand in.
      const snapshot: CartSnapshot = {
        ...built,
        stores: built.stores.map((store) =>
          shipping.get(store.storeId)?.source === 'retailer' ? { ...store, shippingOptionsSource: 'store' } : store,
        ),
      };
      assertPayableTotal(snapshot.summary.totalCents);
      const now = clock.now();
      const session = await sessions.insertSession(db, {
        id: newCheckoutSessionId(),
        userId: principal.userId,
        snapshot,
        expiresAt: new Date(now.getTime() + settings.sessionTtlMs),
        now,
      });
      return view(session);
    },

    async getSession(principal: Principal, sessionId: string): Promise<CheckoutSessionView> {
      return view(await loadVisibleSession(deps, principal, sessionId));
    },

    /**
     * Sets the one shipping address; tax and every total follow from its state. Stores whose options come from their
     * retailer are quoted for it first (bounded; their configured options stand in when a retailer cannot answer).
     */
    async setShipping(principal: Principal, sessionId: string, address: ShippingAddress) {
      const current = await loadVisibleSession(deps, principal, sessionId, true);
      const asksRetailer = current.cartSnapshot.stores.some((store) => store.shippingOptionsSource !== undefined);
      const quoted =
        asksRetailer && effectiveStatus(current, clock.now()) === 'pending'
          ? await shippingQuotes.forAddress(current.cartSnapshot, address)
          : new Map();
      return update(principal, sessionId, (session) => {
        const snapshot = applyTax(withShippingOptions(session.cartSnapshot, quoted), address.state);
        assertPayableTotal(snapshot.summary.totalCents);
        return { shippingAddress: address, snapshot };
      });
    },

    /**
     * The shopper's shipping choice per store (store id → option id); stores not named keep theirs. Shipping, the
     * discount (a free-shipping code follows the price), tax and totals follow.
     */
    setShippingChoices(principal: Principal, sessionId: string, choices: ReadonlyMap<string, string>) {
      return update(principal, sessionId, (session) => ({
        snapshot: chooseShipping(session.cartSnapshot, choices, session.shippingAddress?.state ?? null),
      }));
    },

    setPaymentMethod(principal: Principal, sessionId: string, paymentMethodId: string) {
      return update(principal, sessionId, { paymentMethodId });
    },

    /**
     * Cancels an unplaced session. A payment an earlier place left open is cancelled first, so no hold or later
     * authentication can take money for a cancelled checkout; one the shopper has already paid refuses the cancel.
     */
    async cancel(principal: Principal, sessionId: string): Promise<CheckoutSessionView> {
      let session = await loadVisibleSession(deps, principal, sessionId, true);
      for (let tries = 1; ; tries += 1) {
        const now = clock.now();
        if (session.status === 'cancelled') return view(session);
        if (session.status !== 'pending') throw notEditable(session, now);
        if (session.paymentIntentId) await letGoOfEarlierPayment(session);
        const cancelled = await sessions.cancelPendingSession(db, sessionId, session.paymentIntentId, now);
        if (cancelled) await promotions.releaseCancelledHold(sessionId);
        if (cancelled) return view(cancelled);
        if (tries >= 3) throw keepsChanging();
        session = (await sessions.findSession(db, sessionId)) ?? session;
      }
    },
  };
}

export type CheckoutService = ReturnType<typeof createCheckoutService>;
