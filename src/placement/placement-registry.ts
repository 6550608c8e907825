import type { PlacementAdapter, QuotedShippingOption, ShippingQuoteRequest, StoreContext } from './placement-adapter';
import type { PlacementMethod } from '../domain/placement-method';

/**
 * Chooses the adapter for a store's placement method. Connectors for particular commerce platforms plug in
 * here behind the same interface.
 */
export function createPlacementRegistry(adapters: readonly PlacementAdapter[]) {
  const byMethod = new Map<PlacementMethod, PlacementAdapter>(adapters.map((adapter) => [adapter.method, adapter]));
  return {
    adapterFor(method: PlacementMethod): PlacementAdapter {
      const adapter = byMethod.get(method);
      if (!adapter) throw new Error(`no placement adapter registered for "${method}"`);
      return adapter;
    },
    /** field → problem for a store's placement_config; empty when valid. */
    validateConfig(method: PlacementMethod, config: unknown): Record<string, string> {
      const adapter = byMethod.get(method);
      if (!adapter) return { '': `placement method "${method}" is not available on this deployment` };
      return adapter.validateConfig(config);
    },
    /** The retailer's shipping methods for an order; refused when the store's method cannot ask its retailer. */
    async quoteShipping(
      method: PlacementMethod,
      request: ShippingQuoteRequest,
      context: StoreContext,
    ): Promise<QuotedShippingOption[]> {
      const adapter = byMethod.get(method);
      if (!adapter?.quoteShipping)
        throw new Error(`placement method "${method}" cannot ask the retailer for shipping options`);
      return adapter.quoteShipping(request, context);
    },
  };
}

export type PlacementRegistry = ReturnType<typeof createPlacementRegistry>;
