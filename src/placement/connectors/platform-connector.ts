import type {
  LookupOutcome,
  PlacementContext,
  PlacementOrder,
  PlacementResult,
  QuotedShippingOption,
  RetailerOrderStatus,
  ShippingQuoteRequest,
  StoreCheck,
  StoreContext,
} from '../placement-adapter';

/**
 * One commerce platform behind the `api` placement method, chosen by the store's `placementConfig.platform`
 * (`mor-retailer-api`, this project's own order API, when it is absent). Adding a platform is one file that
 * implements this, registered in `createApiPlacementAdapter`, and its test.
 *
 * A connector places an order carrying our order number and never buys twice for it (a retry after a crash
 * finds the earlier order first), guards the price (the retailer's total is checked against the snapshot's before
 * anything is paid: `PriceMismatchError`), and maps the platform's refusals to `PermanentPlacementError` codes
 * (`out_of_stock` sends the order to the store's fallback or refunds it) and anything worth another try to
 * `TransientPlacementError`.
 */
export interface PlatformConnector {
  /** The `placementConfig.platform` value that selects it. */
  readonly platform: string;
  /**
   * `webhooks`: the retailer posts status events to `/webhooks/retailers/:slug`. `polling`: it sends none, and the
   * status sync asks `readStatus` instead.
   */
  readonly statusUpdates: 'webhooks' | 'polling';
  /** field → problem for the whole placementConfig (the `platform` field included); empty when valid. */
  validateConfig(config: unknown): Record<string, string>;
  place(order: PlacementOrder, context: PlacementContext): Promise<PlacementResult>;
  /** Whether the retailer holds a paid order for ours, without buying anything. */
  lookup(order: PlacementOrder, context: PlacementContext): Promise<LookupOutcome>;
  /** Required when `statusUpdates` is `polling`. */
  readStatus?(storeOrderNumber: string, context: StoreContext): Promise<RetailerOrderStatus>;
  /** Reach, sign in, price one product: each a named check with a plain-words message. Never buys. */
  check(context: StoreContext): Promise<StoreCheck[]>;
  /** The retailer's shipping methods for an order, at its prices (when the platform can say). Never buys. */
  quoteShipping?(request: ShippingQuoteRequest, context: StoreContext): Promise<QuotedShippingOption[]>;
}

/**
 * What a connector learnt about the retailer-side order it started for one of ours, kept in our database
 * (`platform_checkouts`). It is written before the step that pays, so that the retry after a crash between the
 * retailer creating the order and our recording of its result resumes or finds that order instead of buying again.
 */
export interface PlatformCheckoutJournal {
  read(orderNumber: string, platform: string): Promise<Record<string, unknown> | undefined>;
  /** Merges `data` into the record (created if absent). Durable when it resolves. */
  write(orderNumber: string, platform: string, data: Record<string, unknown>): Promise<void>;
}

/** The default platform: the retailer order API in CONTRACT.md. */
export const DEFAULT_PLATFORM = 'mor-retailer-api';

/** The platform a store's config names (the default when it names none). */
export function platformOf(config: unknown): string {
  const platform = (config as { platform?: unknown } | null)?.platform;
  return typeof platform === 'string' && platform.length > 0 ? platform : DEFAULT_PLATFORM;
}

/** zod issues as field → first problem, the shape `validateConfig` answers with. */
export function problemsOf(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const issue of issues) problems[issue.path.map(String).join('.') || 'config'] ??= issue.message;
  return problems;
}
