import type { CartSnapshot, SnapshotItem, SnapshotStore } from '../domain/cart-snapshot';
import { applyBasisPoints, sumCents } from '../domain/money';
import type { PlacementMethod } from '../placement/placement-adapter';

/**
 * Pure pricing: per-store subtotals from catalog prices, shipping from the store's rule, tax by destination
 * state on the store subtotal (shipping is not taxed), rounded half-up per store. The amount charged is
 * exactly the sum of the store totals.
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
  items: Omit<SnapshotItem, 'totalPriceCents'>[];
}

/** Builds the snapshot with tax at 0: tax is only known once the shipping address is. */
export function buildSnapshot(currency: string, stores: PricedStoreInput[]): CartSnapshot {
  const priced: SnapshotStore[] = stores.map((store) => {
    const items = store.items.map((item) => ({ ...item, totalPriceCents: item.unitPriceCents * item.quantity }));
    const subtotalCents = sumCents(items.map((item) => item.totalPriceCents));
    const shippingCents = shippingFor(store.shipping, subtotalCents);
    return {
      storeId: store.storeId,
      storeSlug: store.storeSlug,
      storeName: store.storeName,
      placementMethod: store.placementMethod,
      items,
      subtotalCents,
      shippingCents,
      taxCents: 0,
      totalCents: subtotalCents + shippingCents,
    };
  });
  return { currency, stores: priced, summary: summarize(priced) };
}

/** Fills tax and totals for a destination state. Items and subtotals are untouched. */
export function applyTax(snapshot: CartSnapshot, state: string): CartSnapshot {
  const basisPoints = taxBasisPointsFor(state);
  const stores = snapshot.stores.map((store) => {
    const taxCents = applyBasisPoints(store.subtotalCents, basisPoints);
    return { ...store, taxCents, totalCents: store.subtotalCents + store.shippingCents + taxCents };
  });
  return { ...snapshot, stores, summary: summarize(stores) };
}

function summarize(stores: SnapshotStore[]): CartSnapshot['summary'] {
  return {
    itemCount: sumCents(stores.flatMap((store) => store.items.map((item) => item.quantity))),
    subtotalCents: sumCents(stores.map((store) => store.subtotalCents)),
    shippingCents: sumCents(stores.map((store) => store.shippingCents)),
    taxCents: sumCents(stores.map((store) => store.taxCents)),
    totalCents: sumCents(stores.map((store) => store.totalCents)),
  };
}
