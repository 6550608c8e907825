/**
 * How the HTTP layer guards itself: headers, what operational pages are open, and rate limits. createApp takes
 * these (tests tighten them per file); src/config.ts fills them from the environment.
 */
export interface HttpSettings {
  /** Strict-Transport-Security max-age; 0 sends none (the API is reached over plain HTTP in development). */
  hstsMaxAgeSeconds: number;
  /** Serve the OpenAPI document and its UI at /api/docs. */
  apiDocs: boolean;
  /** /metrics: 'open', 'closed' (404), or a bearer token Prometheus must send. */
  metrics: { access: 'open' } | { access: 'closed' } | { access: 'token'; token: string };
  rateLimits: RateLimitSettings;
}

export interface RateLimitSettings {
  windowMs: number;
  /** Per shopper, on placing and on changing the payment method (card testing); 0 is no limit. */
  shopperPaymentsPerWindow: number;
  /** Per client IP, on routes that need no token (the catalog) and on webhooks; 0 is no limit. */
  anonymousPerWindow: number;
}

/** Generous enough that no real shopper or retailer meets them; production tunes them through the environment. */
export const DEFAULT_HTTP_SETTINGS: HttpSettings = {
  hstsMaxAgeSeconds: 0,
  apiDocs: true,
  metrics: { access: 'open' },
  rateLimits: { windowMs: 60_000, shopperPaymentsPerWindow: 30, anonymousPerWindow: 600 },
};
