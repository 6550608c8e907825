import {
  FLAT_RULE_OPTION_ID,
  type CartSnapshot,
  type ShippingChoice,
  type SnapshotItem,
  type SnapshotStore,
  type StoreShippingOption,
} from '../domain/cart-snapshot';
import { DomainError } from '../domain/errors';
import { applyBasisPoints, sumCents } from '../domain/money';
import type { FrozenPromotion } from '../domain/promotion';
import type { PlacementMethod } from '../domain/placement-method';
import { discountsFor } from './discounts';

/**
 * Pure pricing: per-store subtotals from catalog prices, shipping from the shopper's choice among the store's
 * options, the promo code's discount spread over the stores, and tax by destination state on each store's
 * discounted subtotal (shipping is not taxed), rounded half-up per store. The amount charged is exactly the sum
 * of the store totals.
 */
const TAX_BASIS_POINTS_BY_STATE: Readonly<Record<string, number>> = { CA: 725, NY: 800, TX: 625, WA: 650, FL: 600 };
const DEFAULT_TAX_BASIS_POINTS = 500;

export function taxBasisPointsFor(state: string): number {
  return TAX_BASIS_POINTS_BY_STATE[state.toUpperCase()] ?? DEFAULT_TAX_BASIS_POINTS;
}

export interface ShippingRule {
  flatCents: number;
  freeAboveCents: number | null;
}

/** Free when the store subtotal reaches the threshold; otherwise the flat fee. No rule means free. */
export function shippingFor(rule: ShippingRule, subtotalCents: number): number {
  if (rule.freeAboveCents !== null && subtotalCents >= rule.freeAboveCents) return 0;
  return rule.flatCents;
}

export interface PricedStoreInput {
  storeId: string;
  storeSlug: string;
  storeName: string;
  placementMethod: PlacementMethod;
  shipping: ShippingRule;
  /** The store's own options; none: one standard option from the flat rule. */
  shippingOptions?: readonly StoreShippingOption[] | null;
  items: Omit<SnapshotItem, 'totalPriceCents'>[];
}

/** The choices a store offers for this subtotal, cheapest first (ties keep the store's order). */
export function shippingChoicesFor(
  store: Pick<PricedStoreInput, 'shipping' | 'shippingOptions'>,
  subtotalCents: number,
): ShippingChoice[] {
  const options: StoreShippingOption[] = store.shippingOptions?.length
    ? [...store.shippingOptions]
    : [
        {
          id: FLAT_RULE_OPTION_ID,
          name: 'Standard shipping',
          priceCents: store.shipping.flatCents,
          freeAboveCents: store.shipping.freeAboveCents,
        },
      ];
  return options
    .map((option) => ({
      id: option.id,
      name: option.name,
      priceCents: shippingFor(
        { flatCents: option.priceCents, freeAboveCents: option.freeAboveCents ?? null },
        subtotalCents,
      ),
      deliveryEstimate:
        option.minDays != null && option.maxDays != null ? { minDays: option.minDays, maxDays: option.maxDays } : null,
    }))
    .map((choice, order) => ({ choice, order }))
    .sort((a, b) => a.choice.priceCents - b.choice.priceCents || a.order - b.order)
    .map(({ choice }) => choice);
}

/** Builds the snapshot with tax at 0 (tax is only known once the shipping address is) and the cheapest shipping. */
export function buildSnapshot(
  currency: string,
  stores: PricedStoreInput[],
  promotion: FrozenPromotion | null = null,
): CartSnapshot {
  const unpriced: SnapshotStore[] = stores.map((store) => {
    const items = store.items.map((item) => ({ ...item, totalPriceCents: item.unitPriceCents * item.quantity }));
    const subtotalCents = sumCents(items.map((item) => item.totalPriceCents));
    const shippingOptions = shippingChoicesFor(store, subtotalCents);
    return {
      storeId: store.storeId,
      storeSlug: store.storeSlug,
      storeName: store.storeName,
      placementMethod: store.placementMethod,
      items,
      subtotalCents,
      shippingOptions,
      shippingOption: shippingOptions[0],
      shippingCents: 0,
      shippingDiscountCents: 0,
      discountCents: 0,
      taxCents: 0,
      fullPriceTotalCents: 0,
      totalCents: 0,
    };
  });
  return priceSnapshot({ currency, promotion, stores: unpriced, summary: summarize(unpriced) }, null);
}

/**
 * Shipping, discount, tax and totals from the frozen items, the shipping choices, the code and the destination
 * state (null: no address yet, no tax). Items, subtotals and options are untouched.
 */
export function priceSnapshot(snapshot: CartSnapshot, state: string | null): CartSnapshot {
  const basisPoints = state ? taxBasisPointsFor(state) : 0;
  const shipped = snapshot.stores.map((store) => ({
    ...store,
    shippingCents: store.shippingOption?.priceCents ?? store.shippingCents,
  }));
  const discounts = discountsFor(snapshot.promotion, shipped);
  const stores = shipped.map((store, index) => {
    const { itemsCents, shippingCents: shippingDiscountCents } = discounts[index];
    const taxCents = applyBasisPoints(store.subtotalCents - itemsCents, basisPoints);
    const discountCents = itemsCents + shippingDiscountCents;
    return {
      ...store,
      discountCents,
      shippingDiscountCents,
      taxCents,
      fullPriceTotalCents:
        store.subtotalCents + store.shippingCents + applyBasisPoints(store.subtotalCents, basisPoints),
      totalCents: store.subtotalCents + store.shippingCents + taxCents - discountCents,
    };
  });
  return { ...snapshot, stores, summary: summarize(stores) };
}

/** Fills tax and totals for a destination state. */
export const applyTax = (snapshot: CartSnapshot, state: string) => priceSnapshot(snapshot, state);

/**
 * The shopper's shipping choices (store id → option id); stores not named keep theirs. An option the store does
 * not offer is refused, naming each one.
 */
export function chooseShipping(
  snapshot: CartSnapshot,
  choices: ReadonlyMap<string, string>,
  state: string | null,
): CartSnapshot {
  const unknown: { storeId: string; optionId: string }[] = [];
  const stores = snapshot.stores.map((store) => {
    const optionId = choices.get(store.storeId);
    if (optionId === undefined) return store;
    const option = store.shippingOptions?.find((candidate) => candidate.id === optionId);
    if (!option) unknown.push({ storeId: store.storeId, optionId });
    return option ? { ...store, shippingOption: option, shippingOptionChosen: true } : store;
  });
  const known = new Set(snapshot.stores.map((store) => store.storeId));
  for (const [storeId, optionId] of choices) if (!known.has(storeId)) unknown.push({ storeId, optionId });
  if (unknown.length > 0) {
    throw new DomainError(
      'shipping_option_unknown',
      'Choose among the shipping options each store of the checkout offers',
      { unknown },
    );
  }
  return priceSnapshot({ ...snapshot, stores }, state);
}

function summarize(stores: SnapshotStore[]): CartSnapshot['summary'] {
  const total = (pick: (store: SnapshotStore) => number) => sumCents(stores.map(pick));
  return {
    itemCount: sumCents(stores.flatMap((store) => store.items.map((item) => item.quantity))),
    subtotalCents: total((store) => store.subtotalCents),
    shippingCents: total((store) => store.shippingCents),
    discountCents: total((store) => store.discountCents ?? 0),
    taxCents: total((store) => store.taxCents),
    totalCents: total((store) => store.totalCents),
  };
}
