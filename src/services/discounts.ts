import { allocateProportionally } from '../domain/allocation';
import { applyBasisPoints, MIN_CHARGE_CENTS, sumCents } from '../domain/money';
import type { FrozenPromotion } from '../domain/promotion';

export interface StoreDiscount {
  /** Off the store's items: its share of the code, in proportion to its subtotal. */
  itemsCents: number;
  /** Off the store's shipping (free shipping waives all of it). */
  shippingCents: number;
}

/**
 * How one promo code is spread over the store orders of a checkout. A fixed amount or a percent of the cart's
 * subtotal is one discount, split by the stores' subtotals with the one allocation rule (the parts add up to the
 * cent, no store gets more than its subtotal, a code larger than the cart is cut to it, and never below the minimum
 * charge); free shipping waives each store's shipping.
 */
export function discountsFor(
  promotion: FrozenPromotion | null | undefined,
  stores: readonly { subtotalCents: number; shippingCents: number }[],
): StoreDiscount[] {
  const none = stores.map(() => ({ itemsCents: 0, shippingCents: 0 }));
  if (!promotion) return none;
  if (promotion.kind === 'free_shipping')
    return stores.map((store) => ({ itemsCents: 0, shippingCents: store.shippingCents }));
  const subtotals = stores.map((store) => store.subtotalCents);
  const asked =
    promotion.kind === 'percent'
      ? applyBasisPoints(sumCents(subtotals), promotion.percentOff! * 100)
      : promotion.amountCents!;
  // A card cannot be charged less than the provider's minimum: the items keep what brings the checkout up to it.
  const shipping = sumCents(stores.map((store) => store.shippingCents));
  const whole = Math.min(asked, Math.max(0, sumCents(subtotals) - Math.max(0, MIN_CHARGE_CENTS - shipping)));
  return allocateProportionally(whole, subtotals).map((itemsCents) => ({ itemsCents, shippingCents: 0 }));
}
