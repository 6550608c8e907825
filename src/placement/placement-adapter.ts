import type { Logger } from 'pino';
import type { ShippingAddress } from '../domain/address';
import type { PlacementMethod } from '../domain/placement-method';

/**
 * Everything an adapter needs to buy one store order from its retailer. Prices are the frozen snapshot's, at full
 * price: a promo code is ours to fund, so the retailer is paid (and its total guarded against) as if there were none.
 */
export interface PlacementOrder {
  orderNumber: string;
  storeSlug: string;
  storeName: string;
  currency: string;
  items: PlacementItem[];
  shippingAddress: ShippingAddress;
  /** The shipping the shopper chose for this store; connectors pass its `id` as the retailer's shipping method. */
  shippingOption?: PlacementShippingOption | null;
  subtotalCents: number;
  shippingCents: number;
  /** Tax on the full subtotal, as the retailer charges it. */
  taxCents: number;
  /** What the retailer should charge us: subtotal + shipping + tax, no discount. The price guard compares with it. */
  totalCents: number;
  /** What the shopper paid us for this order (after our discount); for people's information only. */
  shopperTotalCents?: number;
  discountCents?: number;
}

export interface PlacementShippingOption {
  id: string;
  name: string;
  priceCents: number;
  deliveryEstimate: { minDays: number; maxDays: number } | null;
}

/** What a retailer is asked to price shipping for: one store's items and where they go. */
export interface ShippingQuoteRequest {
  items: { sku: string; quantity: number; unitPriceCents: number }[];
  shippingAddress: ShippingAddress;
}

/**
 * One way the retailer ships that order, at its price for it (what the shopper pays and the retailer charges).
 * `id` is the retailer's own method code, so placement hands it back unchanged.
 */
export interface QuotedShippingOption {
  id: string;
  name: string;
  priceCents: number;
  minDays: number | null;
  maxDays: number | null;
}

export interface PlacementItem {
  orderItemId: string;
  sku: string;
  name: string;
  quantity: number;
  size?: string;
  color?: string;
  unitPriceCents: number;
  totalPriceCents: number;
  productUrl?: string;
  imageUrl?: string;
}

export interface PlacementContext {
  /** The store's placement_config for this adapter (validated by `validateConfig` when the store was saved). */
  config: Record<string, unknown>;
  /** How far the retailer's total may exceed the snapshot's before a person must look. */
  priceToleranceCents: number;
  /** 1 for the first try; > 1 means an earlier try may have reached the retailer. */
  attempt: number;
  logger: Logger;
  signal?: AbortSignal;
}

export interface PlacementResult {
  kind: 'placed';
  storeOrderNumber: string;
  placedAt: Date;
  /** What the retailer says it will charge us (items, tax, shipping), when it tells us. */
  retailerTotalCents?: number;
  details: Record<string, unknown>;
}

/** The order was handed to people (an ops task); it stays `placing` until they complete or fail it. */
export interface PlacementDeferred {
  kind: 'deferred';
  taskId: string;
  details: Record<string, unknown>;
}

export type PlacementOutcome = PlacementResult | PlacementDeferred;

/**
 * What the retailer says about an order an earlier try may have sent it. Only `not_placed` (the retailer was
 * seen to answer "no such order") lets the service buy elsewhere or refund; `unknown` goes to a person.
 */
export type LookupOutcome =
  | { kind: 'placed'; result: PlacementResult }
  | { kind: 'not_placed'; evidence: string }
  | { kind: 'unknown'; reason: string };

/**
 * One way of buying an order from a retailer. Implementations must be idempotent per order number: calling
 * `place` again for an order the retailer already has returns that order instead of creating a second one.
 * Expected refusals are `PermanentPlacementError`s; anything worth retrying is a `TransientPlacementError`.
 */
export interface PlacementAdapter {
  readonly method: PlacementMethod;
  place(order: PlacementOrder, context: PlacementContext): Promise<PlacementOutcome>;
  /**
   * Asks the retailer whether it holds this order (by our order number), without buying anything. An adapter
   * that cannot tell leaves this out, which the service treats as `unknown`.
   */
  lookup?(order: PlacementOrder, context: PlacementContext): Promise<LookupOutcome>;
  /** Checks a store's placement_config; returns field → problem, empty when valid. */
  validateConfig(config: unknown): Record<string, string>;
  /**
   * A dry run of a store's config against the retailer (reach it, sign in, price a product), without buying:
   * what works and what does not, in words (`POST /admin/stores/:slug/check`).
   */
  check?(context: StoreContext): Promise<StoreCheck[]>;
  /** For retailers that send no webhooks: which stores the status sync polls, and how it reads an order there. */
  statusPolling?: StatusPolling;
  /** The shipping methods the retailer offers for these items and address, at its prices. Never buys. */
  quoteShipping?(request: ShippingQuoteRequest, context: StoreContext): Promise<QuotedShippingOption[]>;
}

/** A store's settings without an order: for checks and status reads. */
export interface StoreContext {
  config: Record<string, unknown>;
  logger: Logger;
  /** One product of the store's catalog, to price at the retailer (absent when the catalog is empty). */
  sampleProduct?: { sku: string; name: string; priceCents: number };
  /** The ids of the store's configured shipping options, which placement hands the retailer as its method codes. */
  shippingOptionIds?: readonly string[];
  signal?: AbortSignal;
}

export interface StoreCheck {
  name: string;
  ok: boolean;
  message: string;
}

export interface StatusPolling {
  /** The `placementConfig.platform` values whose orders are polled (their platforms send no webhooks). */
  platforms: readonly string[];
  readStatus(storeOrderNumber: string, context: StoreContext): Promise<RetailerOrderStatus>;
}

/**
 * Where the retailer says an order is. `open`: bought, not yet on its way; the others are the moves a retailer
 * webhook would announce (order.shipped / order.delivered / order.cancelled).
 */
export interface RetailerOrderStatus {
  state: 'open' | 'shipped' | 'delivered' | 'cancelled';
  /** The platform's own name for the state, for logs and the order's history. */
  retailerState: string;
  trackingNumber?: string;
  carrier?: string;
}

/** Worth another try later (timeouts, 5xx, 429, a crashed browser). */
export class TransientPlacementError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'TransientPlacementError';
  }
}

export type PermanentPlacementCode =
  'out_of_stock' | 'address_rejected' | 'price_changed' | 'rejected' | 'config_invalid' | 'flow_broken';

/** The retailer said no, or the flow cannot work: retrying the same way will not help. */
export class PermanentPlacementError extends Error {
  constructor(
    readonly code: PermanentPlacementCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'PermanentPlacementError';
  }
}

/** The retailer's total is above the snapshot's by more than the tolerance: nothing was submitted. */
export class PriceMismatchError extends PermanentPlacementError {
  constructor(
    readonly retailerTotalCents: number,
    readonly expectedTotalCents: number,
    details: Record<string, unknown> = {},
  ) {
    super('price_changed', `retailer total ${retailerTotalCents} exceeds snapshot total ${expectedTotalCents}`, {
      ...details,
      retailerTotalCents,
      expectedTotalCents,
    });
    this.name = 'PriceMismatchError';
  }
}
