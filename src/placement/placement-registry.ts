import type { PlacementAdapter } from './placement-adapter';
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
  };
}

export type PlacementRegistry = ReturnType<typeof createPlacementRegistry>;
