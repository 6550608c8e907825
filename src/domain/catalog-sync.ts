export type CatalogSyncStatus = 'running' | 'succeeded' | 'failed';

export type CatalogSyncTrigger = 'schedule' | 'manual';

export interface CatalogChangeCounts {
  added: number;
  priceChanges: number;
  availabilityChanges: number;
  detailsChanges: number;
  delisted: number;
}

export interface CatalogSyncRunRecord extends CatalogChangeCounts {
  id: number;
  storeId: string;
  storeSlug: string;
  storeName: string;
  status: CatalogSyncStatus;
  trigger: CatalogSyncTrigger;
  requestedBy: string | null;
  pagesRead: number;
  productsSeen: number;
  retries: number;
  error: string | null;
  errorTransient: boolean | null;
  startedAt: Date;
  finishedAt: Date | null;
}

export type CatalogChangeKind =
  'added' | 'price_changed' | 'became_unavailable' | 'became_available' | 'details_changed' | 'delisted' | 'relisted';

export interface CatalogChangeRecord {
  id: number;
  runId: number;
  storeSlug: string;
  storeName: string;
  currency: string;
  productId: string;
  sku: string;
  name: string;
  kind: CatalogChangeKind;
  oldPriceCents: number | null;
  newPriceCents: number | null;
  createdAt: Date;
}
