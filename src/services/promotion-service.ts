import { DomainError } from '../domain/errors';
import { sumCents } from '../domain/money';
import {
  freeze,
  limitRefusal,
  normalizeCode,
  refusalFor,
  type FrozenPromotion,
  type Promotion,
} from '../domain/promotion';
import { listCartLines } from '../repositories/carts-repository';
import * as promotions from '../repositories/promotions-repository';
import type { PromotionWrite } from '../repositories/promotions-repository';
import type { PromotionWithUses } from '../domain/promotion';
import * as redemptions from '../repositories/promotion-redemptions-repository';
import type { CheckoutSessionRecord } from '../domain/checkout-session';
import type { CartService, CartView } from './cart-service';
import type { ServiceDeps } from './service-deps';

export type PromotionInput = Omit<PromotionWrite, 'active' | 'description'> & {
  active?: boolean;
  description?: string | null;
};

/**
 * Promo codes: admins define them, a shopper applies one to the cart, a checkout session freezes it, and a place
 * holds one use of it before charging (released if that checkout is never paid; redeemed by the statement that
 * records the payment, see paid-checkout-repository).
 */
export function createPromotionService(deps: ServiceDeps, cart: CartService) {
  const { db, clock, logger } = deps;

  async function load(code: string): Promise<PromotionWithUses> {
    const promotion = await promotions.findPromotionByCode(db, normalizeCode(code));
    if (!promotion) throw new DomainError('promotion_not_found', `No promotion ${normalizeCode(code)}`);
    return promotion;
  }

  /** Why this shopper may not use the code on a cart of this subtotal now, or null. */
  async function refusalForShopper(promotion: Promotion | null, userId: string, subtotalCents: number) {
    if (!promotion)
      return refusalFor(null, { now: clock.now(), subtotalCents, firstOrder: true, customerUses: 0, totalUses: 0 });
    const [uses, paidBefore] = await Promise.all([
      promotions.countUses(db, promotion.id, userId),
      promotions.hasPaidCheckout(db, userId),
    ]);
    return refusalFor(promotion, { now: clock.now(), subtotalCents, firstOrder: !paidBefore, ...uses });
  }

  return {
    async create(input: PromotionInput): Promise<PromotionWithUses> {
      const created = await promotions.insertPromotion(db, {
        active: true,
        description: null,
        ...input,
        code: normalizeCode(input.code),
      });
      if (!created) throw new DomainError('promotion_exists', `Promotion ${normalizeCode(input.code)} exists already`);
      return load(created.code);
    },

    /** Changes a code's conditions; the kind and its amount are fixed once created (sessions froze them). */
    async update(code: string, changes: Partial<Omit<PromotionWrite, 'code' | 'kind' | 'amountCents' | 'percentOff'>>) {
      const updated = await promotions.updatePromotion(db, normalizeCode(code), changes);
      if (!updated) throw new DomainError('promotion_not_found', `No promotion ${normalizeCode(code)}`);
      return load(updated.code);
    },

    get: load,

    list: (limit: number, offset: number) => promotions.listPromotions(db, limit, offset),

    /** Applies a code to the shopper's cart (replacing any other), if it may be used on the cart as it is. */
    async applyToCart(userId: string, code: string): Promise<CartView> {
      const promotion = await promotions.findPromotionByCode(db, normalizeCode(code));
      const subtotalCents = sumCents(
        (await listCartLines(db, userId)).map((line) => line.unitPriceCents * line.quantity),
      );
      const refusal = await refusalForShopper(promotion, userId, subtotalCents);
      if (refusal) throw refusal;
      await promotions.setCartPromotion(db, userId, promotion!.id, clock.now());
      return cart.view(userId);
    },

    async removeFromCart(userId: string): Promise<CartView> {
      await promotions.clearCartPromotion(db, userId);
      return cart.view(userId);
    },

    /**
     * The cart's code as a new checkout session freezes it, or null when the cart has none. A code that may no
     * longer be used on this cart (expired, below its minimum now, used up) refuses the checkout with its own
     * error: the shopper removes it or changes the cart, never pays more than they were shown without knowing.
     */
    async codeForCheckout(
      userId: string,
      subtotalCents: number,
      applied?: Promotion | null,
    ): Promise<FrozenPromotion | null> {
      // The caller may have read the cart's code with its lines already (one round trip for both).
      const promotion = applied === undefined ? await promotions.findCartPromotion(db, userId) : applied;
      if (!promotion) return null;
      const refusal = await refusalForShopper(promotion, userId, subtotalCents);
      if (refusal) throw refusal;
      return freeze(promotion);
    },

    /**
     * Holds one use of the session's code before its payment is taken, or refuses the place with the code's
     * limit error. Under the code's row lock, so a code's last use goes to exactly one of any number of racers.
     */
    async holdUse(session: CheckoutSessionRecord): Promise<void> {
      const promotion = session.cartSnapshot.promotion;
      if (!promotion) return;
      const outcome = await redemptions.holdRedemption(
        db,
        {
          promotionId: promotion.promotionId,
          checkoutSessionId: session.id,
          userId: session.userId,
          discountCents: session.cartSnapshot.summary.discountCents ?? 0,
        },
        clock.now(),
      );
      if (outcome.kind === 'refused') throw limitRefusal(outcome, outcome)!;
    },

    /** The use a declined attempt held goes back to the code. */
    releaseAttemptHold: (session: CheckoutSessionRecord) =>
      redemptions.releaseAttemptHold(db, session.id, session.paymentAttempt, clock.now()),

    releaseCancelledHold: (sessionId: string) => redemptions.releaseHoldOfCancelledSession(db, sessionId, clock.now()),

    /** Maintenance: uses held by checkouts that were cancelled or expired unpaid go back to their codes. */
    async releaseUnpayableHolds(): Promise<number> {
      const released = await redemptions.releaseUnpayableHolds(db, clock.now());
      if (released > 0) logger.info({ released }, 'promo code uses of unpaid checkouts released');
      return released;
    },
  };
}

export type PromotionService = ReturnType<typeof createPromotionService>;
