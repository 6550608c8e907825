import type { StoreCheck, StoreContext } from '../../placement/placement-adapter';
import type { PlacementMethod } from '../../domain/placement-method';
import type { PlacementRegistry } from '../../placement/placement-registry';

export type MethodCheck = (input: StoreContext & { registry: PlacementRegistry }) => Promise<StoreCheck[]>;

/** The config's own validation as the first check: with it failing, nothing else is tried. */
function configCheck(registry: PlacementRegistry, method: PlacementMethod, config: unknown): StoreCheck {
  const problems = Object.entries(registry.validateConfig(method, config));
  return problems.length === 0
    ? { name: 'config', ok: true, message: 'placementConfig is complete' }
    : {
        name: 'config',
        ok: false,
        message: problems.map(([field, problem]) => `${field || 'placementConfig'} ${problem}`).join('; '),
      };
}

/** An adapter's own live check when it has one (api connectors, headless), else the config's validation alone. */
const adapterCheck =
  (method: PlacementMethod): MethodCheck =>
  async ({ registry, ...context }) => {
    const config = configCheck(registry, method, context.config);
    let adapter;
    try {
      adapter = registry.adapterFor(method);
    } catch (error) {
      return [{ name: 'config', ok: false, message: (error as Error).message }];
    }
    if (!adapter.check)
      return [
        config,
        { name: 'live', ok: true, message: `${method} placement has no live check yet: the config was validated only` },
      ];
    return adapter.check(context);
  };

/**
 * The dry check of each placement method. `api` asks the store's platform connector (reach, authenticate, price);
 * `headless` checks Chromium, signs in and opens the recipe's first page (src/placement/headless-store-check.ts). Add a method's check here.
 */
export const CHECKS_BY_METHOD: Record<PlacementMethod, MethodCheck> = {
  api: adapterCheck('api'),
  headless: adapterCheck('headless'),
  manual: async () => [{ name: 'manual', ok: true, message: 'orders become ops tasks: nothing to connect to' }],
};
