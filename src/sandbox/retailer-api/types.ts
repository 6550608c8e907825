/** The shapes a simulated retailer is configured with and reports; the wire protocol itself is in schemas.ts. */

export interface CatalogEntry {
  priceCents: number;
  /** Units on hand; decremented on every accepted order. Absent means unlimited. */
  stock?: number;
  /** What `GET /products` shows; the name defaults to the sku. */
  name?: string;
  imageUrl?: string;
  productUrl?: string;
}

export type Catalog = Record<string, CatalogEntry>;

export interface RetailerSetup {
  apiKey: string;
  catalog?: Catalog;
  /** Tax on the items' subtotal, in basis points (825 = 8.25 %), rounded half-up. */
  taxBasisPoints?: number;
  /** Flat shipping added to every order and quote that names no shipping method. */
  shippingCents?: number;
  /** Shipping methods the retailer offers: an order or quote naming one (`shippingMethod`) pays its price. */
  shippingMethods?: ShippingMethod[];
  /** Delay before every protocol request is answered. */
  latencyMs?: number;
  /** When set, skus missing from the catalog are refused (out_of_stock) instead of sold at the caller's price. */
  strictCatalog?: boolean;
  /** Zip codes the retailer does not deliver to (address_rejected). */
  rejectedZips?: string[];
}

export interface ShippingMethod {
  id: string;
  name: string;
  priceCents: number;
  /** The delivery estimate, in days after the order (both or neither). */
  minDays?: number;
  maxDays?: number;
}

export type RetailerRejectionCode =
  'out_of_stock' | 'address_rejected' | 'price_changed' | 'shipping_method_unavailable';

export interface SimulatedOrderItem {
  sku: string;
  quantity: number;
  size?: string;
  color?: string;
  unitPriceCents: number;
}

export interface SimulatedOrder {
  orderNumber: string;
  externalReference: string;
  idempotencyKey?: string;
  status: 'accepted';
  items: SimulatedOrderItem[];
  shippingAddress: Record<string, unknown>;
  /** The shipping method the order asked for, if it named one. */
  shippingMethod?: string;
  subtotalCents: number;
  taxCents: number;
  shippingCents: number;
  totalCents: number;
  createdAt: string;
}

/**
 * Counters since the retailer was added. Route counters (`orderRequests`, `lookups`, `quotes`) count every request
 * that reached the route, faulted or not; `orderCreations` counts orders that actually came into being.
 */
export interface RetailerStats {
  requests: number;
  orderRequests: number;
  orderCreations: number;
  orderReplays: number;
  orderRejections: number;
  lookups: number;
  quotes: number;
  /** `GET /products` pages asked for. */
  productPages: number;
  unauthorized: number;
  faultsServed: number;
}

/** Which requests a fault applies to: order creations (`POST /orders`), catalog pages (`GET /products`), or any. */
export type FaultScope = 'create_order' | 'list_products' | 'quote' | 'any';

export type FaultKind = 'status_500' | 'status_503' | 'status_429' | 'timeout' | 'reset' | 'create_then_500' | 'reject';

/**
 * A misbehaviour for the next `count` matching requests (default 1, scope default `create_order`), once `after`
 * matching requests (default 0) have been answered normally (e.g. fail a catalog's second page, not its first).
 * `timeout` never answers (the socket stays open until the client gives up); `reset` destroys the socket;
 * `create_then_500` processes the request normally and then answers 500, so the order exists but the caller
 * cannot know it; `reject` answers 422 with `code`.
 */
export type FaultSpec = { count?: number; scope?: FaultScope; after?: number } & (
  | { kind: 'status_500' | 'status_503' | 'timeout' | 'reset' | 'create_then_500' }
  | { kind: 'status_429'; retryAfterSeconds?: number }
  | { kind: 'reject'; code: RetailerRejectionCode; message?: string }
);

export interface RetailerInfo {
  slug: string;
  baseUrl: string;
}

export type SimulatorErrorCode = 'retailer_not_found' | 'sku_not_found' | 'invalid_request';

/** A control call the simulator cannot honour (unknown retailer or sku, bad arguments). */
export class SimulatorError extends Error {
  constructor(
    readonly code: SimulatorErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
    this.name = 'SimulatorError';
  }
}

/**
 * How a test or benchmark steers the simulator. The in-process simulator implements it directly; the same calls go
 * over HTTP under `/_sim` (see control-routes.ts) and `connectRetailerApiSimulator` wraps them for another process.
 */
export interface RetailerSimControls {
  /** Creates the retailer, or starts it afresh (empty orders, counters and faults) when the slug exists. */
  addRetailer(slug: string, setup: RetailerSetup): RetailerInfo;
  removeRetailer(slug: string): void;
  retailers(): RetailerInfo[];
  setLatency(slug: string, latencyMs: number): void;
  setStock(slug: string, sku: string, stock: number): void;
  /** Adds the sku (with unlimited stock) when the catalog does not have it yet. */
  setPrice(slug: string, sku: string, priceCents: number): void;
  /** The retailer stops selling the sku: it leaves the catalog (and `GET /products`). */
  removeSku(slug: string, sku: string): void;
  injectFaults(slug: string, fault: FaultSpec): void;
  clearFaults(slug: string): void;
  orders(slug: string): SimulatedOrder[];
  stats(slug: string): RetailerStats;
}

/** The same controls across a process boundary. */
export type RemoteRetailerSimControls = {
  [K in keyof RetailerSimControls]: (
    ...args: Parameters<RetailerSimControls[K]>
  ) => Promise<ReturnType<RetailerSimControls[K]>>;
};
