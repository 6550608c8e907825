import type { LineVariant } from './line-item';
import type { PlacementMethod } from './placement-method';
import type { FrozenPromotion } from './promotion';

/**
 * The frozen copy of a cart taken at checkout. Its items, prices, promo code and shipping options never change
 * afterwards; the shopper's shipping choice and address change shipping, tax and totals until the session is placed.
 */
export interface CartSnapshot {
  currency: string;
  /** The promo code frozen at checkout (absent on snapshots taken before promotions existed). */
  promotion?: FrozenPromotion | null;
  stores: SnapshotStore[];
  summary: SnapshotTotals & { itemCount: number };
}

/** `totalCents = subtotalCents + shippingCents + taxCents − discountCents`: what the shopper pays. */
export interface SnapshotTotals {
  subtotalCents: number;
  shippingCents: number;
  /** The promo code's share of this store (its items) plus any shipping it waives. */
  discountCents: number;
  /** Tax on the subtotal after the items' discount (shipping is not taxed). */
  taxCents: number;
  totalCents: number;
}

/** One way a store can ship: its price for this order's subtotal and how long it takes. */
export interface ShippingChoice {
  id: string;
  name: string;
  priceCents: number;
  deliveryEstimate: { minDays: number; maxDays: number } | null;
}

/**
 * The id of the one option a store without options of its own offers (its flat rule). It is not a retailer's
 * shipping method: placement leaves the retailer's default for it.
 */
export const FLAT_RULE_OPTION_ID = 'standard';

/**
 * Where a store's options come from: `store`, the configured ones (or the flat rule); `retailer`, the retailer's own
 * quote for the checkout's items and address, with the configured ones standing in when it does not answer.
 */
export type ShippingOptionsSource = 'store' | 'retailer';

/** A shipping option as a store is configured with it (admin `PUT /admin/stores/:slug/shipping-options`). */
export interface StoreShippingOption {
  id: string;
  name: string;
  priceCents: number;
  /** Free from this store subtotal on. */
  freeAboveCents?: number | null;
  minDays?: number | null;
  maxDays?: number | null;
}

export interface SnapshotStore extends SnapshotTotals {
  storeId: string;
  storeSlug: string;
  storeName: string;
  placementMethod: PlacementMethod;
  items: SnapshotItem[];
  /** The part of `discountCents` that waives shipping (a free-shipping code). */
  shippingDiscountCents: number;
  /** What the retailer charges us at full price (subtotal + shipping + tax on the whole subtotal): we fund the discount. */
  fullPriceTotalCents: number;
  shippingOptions: ShippingChoice[];
  /** The shopper's choice; the cheapest until they choose. */
  shippingOption: ShippingChoice | null;
  /** True once the shopper chose; a re-quote keeps such a choice while it is still offered, else takes the cheapest. */
  shippingOptionChosen?: boolean;
  /**
   * Set for a store whose options come from its retailer: `retailer` once the retailer quoted them for the
   * session's address, `store` while they are the configured stand-ins (no address yet, or no answer in time).
   */
  shippingOptionsSource?: ShippingOptionsSource;
}

export interface SnapshotItem extends LineVariant {
  cartItemId: string;
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
  totalPriceCents: number;
  productUrl: string | null;
  imageUrl: string | null;
}
