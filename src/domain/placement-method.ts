/** How an order reaches its retailer: the retailer's API, a headless browser on its storefront, or a person. */
export type PlacementMethod = 'api' | 'headless' | 'manual';

/** What a store falls back to when its own method cannot place an order. */
export type FallbackMethod = Exclude<PlacementMethod, 'api'>;
