import type { FallbackMethod, PlacementMethod } from './placement-method';

export interface StoreRecord {
  id: string;
  slug: string;
  name: string;
  placementMethod: PlacementMethod;
  placementConfig: Record<string, unknown>;
  fallbackMethod: FallbackMethod | null;
  webhookSecret: string | null;
  currency: string;
  shippingFlatCents: number;
  shippingFreeAboveCents: number | null;
  priceToleranceCents: number;
}
