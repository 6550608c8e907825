import type { ShippingAddress } from '../domain/address';
import type { CartSnapshot } from '../domain/cart-snapshot';
import { DomainError } from '../domain/errors';
import { newCheckoutSessionId } from '../domain/ids';
import { canSeeAllUsers, type Principal } from '../domain/principal';
import type { SessionStatus } from '../domain/session-status';
import { listCartLines, type CartLine } from '../repositories/carts-repository';
import * as sessions from '../repositories/checkout-sessions-repository';
import type { CheckoutSessionRecord } from '../repositories/checkout-sessions-repository';
import { listSessionOrders, type OrderRecord } from '../repositories/orders-repository';
import { applyTax, buildSnapshot, type PricedStoreInput } from './pricing';
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
  if (status === 'expired') return new DomainError('session_expired', 'The checkout session has expired; start a new checkout');
  if (status === 'cancelled') return new DomainError('session_not_editable', 'The checkout session was cancelled');
  if (status === 'processing') return new DomainError('request_in_progress', 'The checkout session is being placed');
  return new DomainError('session_already_placed', 'The checkout session has already been placed');
}

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
      size: line.size || null,
      color: line.color || null,
      quantity: line.quantity,
      unitPriceCents: line.unitPriceCents,
      productUrl: line.productUrl,
      imageUrl: line.imageUrl,
    });
  }
  return [...byStore.values()];
}

/** Cart → frozen checkout session, and the edits allowed before it is placed. */
export function createCheckoutService(deps: ServiceDeps) {
  const { db, clock, settings } = deps;

  async function view(session: CheckoutSessionRecord): Promise<CheckoutSessionView> {
    const hasOrders = session.paymentIntentId !== null && !['pending', 'processing', 'cancelled'].includes(session.status);
    return {
      session,
      status: effectiveStatus(session, clock.now()),
      orders: hasOrders ? await listSessionOrders(db, [session.id]) : null,
    };
  }

  /**
   * Changes the shopper's pending session. A change that needs the current session (tax follows the address)
   * reads it first; one that does not is a single guarded UPDATE, and only a refusal reads the row to explain it.
   */
  async function update(
    principal: Principal,
    sessionId: string,
    change: sessions.PendingSessionChanges | ((session: CheckoutSessionRecord) => sessions.PendingSessionChanges),
  ): Promise<CheckoutSessionView> {
    const changes = typeof change === 'function' ? change(await loadVisibleSession(deps, principal, sessionId, true)) : change;
    const now = clock.now();
    const updated = await sessions.updatePendingSession(db, sessionId, principal.userId, now, changes);
    if (!updated) throw notEditable(await loadVisibleSession(deps, principal, sessionId, true), now);
    return view(updated);
  }

  return {
    async createSession(principal: Principal): Promise<CheckoutSessionView> {
      const lines = await listCartLines(db, principal.userId);
      if (lines.length === 0) throw new DomainError('cart_empty', 'The cart is empty');
      const unavailable = lines.filter((line) => !line.available);
      if (unavailable.length > 0) {
        throw new DomainError('product_unavailable', 'Some items are no longer available; remove them to check out', {
          items: unavailable.map((line) => ({ id: line.id, sku: line.sku, storeId: line.storeId })),
        });
      }
      const currencies = new Set(lines.map((line) => line.storeCurrency));
      if (currencies.size > 1) {
        throw new DomainError('mixed_currencies', 'One checkout can only charge one currency', { currencies: [...currencies] });
      }
      const snapshot: CartSnapshot = buildSnapshot([...currencies][0], groupByStore(lines));
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

    /** Sets the one shipping address; tax and every total follow from its state. */
    setShipping(principal: Principal, sessionId: string, address: ShippingAddress) {
      return update(principal, sessionId, (session) => ({
        shippingAddress: address,
        snapshot: applyTax(session.cartSnapshot, address.state),
      }));
    },

    setPaymentMethod(principal: Principal, sessionId: string, paymentMethodId: string) {
      return update(principal, sessionId, { paymentMethodId });
    },

    async cancel(principal: Principal, sessionId: string): Promise<CheckoutSessionView> {
      const session = await loadVisibleSession(deps, principal, sessionId, true);
      const now = clock.now();
      if (session.status === 'cancelled') return view(session);
      if (!(await sessions.cancelPendingSession(db, sessionId, now))) {
        throw notEditable((await sessions.findSession(db, sessionId)) ?? session, now);
      }
      return view((await sessions.findSession(db, sessionId))!);
    },
  };
}

export type CheckoutService = ReturnType<typeof createCheckoutService>;
