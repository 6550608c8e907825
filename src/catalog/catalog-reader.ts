/**
 * The catalog reader contract: how a catalog sync reads what a connected retailer sells, one page at a time.
 * One reader per platform (the default retailer order API, Vendure, EverShop …); the sync service knows nothing of
 * their protocols. A reader never writes anything, here or at the retailer.
 */

/** One product as the retailer lists it. Prices are integer cents in the store's currency. */
export interface RetailerProduct {
  sku: string;
  name: string;
  priceCents: number;
  /** Can be bought now (in stock, not disabled). */
  available: boolean;
  imageUrl: string | null;
  productUrl: string | null;
}

export interface CatalogPage {
  products: RetailerProduct[];
  /** Pass back to read the next page; null after the last page. Opaque to the caller. */
  nextCursor: string | null;
}

/** The store as a reader sees it: how it is connected, never its orders or secrets beyond its own config. */
export interface CatalogStore {
  slug: string;
  placementMethod: string;
  placementConfig: Record<string, unknown>;
}

export interface CatalogReader {
  /** A short name for logs and the sync runs (e.g. `retailer-api`, `vendure`). */
  readonly platform: string;
  /** Whether this reader can read the catalog of a store connected this way (its method and config). */
  canRead(store: CatalogStore): boolean;
  /**
   * One page: the first for a null cursor. Throws `CatalogReadError`; a page is either read whole or not at all.
   * `signal` aborts the request in flight.
   */
  readPage(store: CatalogStore, cursor: string | null, signal?: AbortSignal): Promise<CatalogPage>;
}

/**
 * Why a page could not be read. `transient` (timeouts, 5xx, 429, connection failures) is worth trying again soon;
 * otherwise (refused credentials, no catalog endpoint, a malformed answer) only a change of config will help.
 */
export class CatalogReadError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    /** How long the retailer asked us to wait (Retry-After), when it did. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'CatalogReadError';
  }
}

/** The first reader that can read the store's catalog; undefined when none can (the store keeps admin upserts). */
export function findCatalogReader(readers: readonly CatalogReader[], store: CatalogStore): CatalogReader | undefined {
  return readers.find((reader) => reader.canRead(store));
}
