import type { PlacementMethod } from '../placement/placement-adapter';

/** The frozen copy of a cart taken at checkout. Nothing in it changes afterwards except tax and totals,
 * which depend on the shipping address. */
export interface CartSnapshot {
  currency: string;
  stores: SnapshotStore[];
  summary: SnapshotTotals & { itemCount: number };
}

export interface SnapshotTotals {
  subtotalCents: number;
  shippingCents: number;
  taxCents: number;
  totalCents: number;
}

export interface SnapshotStore extends SnapshotTotals {
  storeId: string;
  storeSlug: string;
  storeName: string;
  placementMethod: PlacementMethod;
  items: SnapshotItem[];
}

export interface SnapshotItem {
  cartItemId: string;
  productId: string;
  sku: string;
  name: string;
  size: string | null;
  color: string | null;
  quantity: number;
  unitPriceCents: number;
  totalPriceCents: number;
  productUrl: string | null;
  imageUrl: string | null;
}
