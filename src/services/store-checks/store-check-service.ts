import { DomainError } from '../../domain/errors';
import type { StoreCheck } from '../../placement/placement-adapter';
import type { PlacementMethod } from '../../domain/placement-method';
import type { PlacementRegistry } from '../../placement/placement-registry';
import { findSampleProduct } from '../../repositories/products-repository';
import { findShippingSettings } from '../../repositories/shipping-options-repository';
import { findStoreBySlug } from '../../repositories/stores-repository';
import type { ServiceDeps } from '../service-deps';
import { CHECKS_BY_METHOD, type MethodCheck } from './method-checks';

/**
 * `POST /admin/stores/:slug/check`: a dry run of a store's placement config (reach the retailer, sign in, price
 * one product) that answers what works and what does not, in words, without buying anything. The checks per
 * placement method are in ./method-checks.ts; a store's fallback method is checked after its primary one.
 */
export function createStoreCheckService(deps: ServiceDeps, registry: PlacementRegistry) {
  const { db, logger } = deps;

  return {
    async check(slug: string): Promise<{ checks: StoreCheck[] }> {
      const store = await findStoreBySlug(db, slug);
      if (!store) throw new DomainError('store_not_found', `Store "${slug}" not found`);
      const [sample, shipping] = await Promise.all([findSampleProduct(db, store.id), findShippingSettings(db, slug)]);
      const sampleProduct = sample ? { sku: sample.sku, name: sample.name, priceCents: sample.priceCents } : undefined;
      // Placement hands the retailer the shopper's option id as its shipping method: a connector that can, checks them.
      const shippingOptionIds = shipping?.options?.map((option) => option.id);
      const run = (method: PlacementMethod, config: Record<string, unknown>): Promise<StoreCheck[]> => {
        const check: MethodCheck = CHECKS_BY_METHOD[method];
        return check({
          registry,
          config,
          logger: logger.child({ storeSlug: slug, check: method }),
          sampleProduct,
          shippingOptionIds,
        });
      };
      const checks = await run(store.placementMethod, store.placementConfig);
      if (store.fallbackMethod) {
        const fallbackConfig = (store.placementConfig.fallback as Record<string, unknown> | undefined) ?? {};
        const fallbackChecks = await run(store.fallbackMethod, fallbackConfig);
        checks.push(...fallbackChecks.map((check) => ({ ...check, name: `fallback.${check.name}` })));
      }
      return { checks };
    },
  };
}

export type StoreCheckService = ReturnType<typeof createStoreCheckService>;
