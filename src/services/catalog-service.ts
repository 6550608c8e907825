import { DomainError, validationFailed } from '../domain/errors';
import * as products from '../repositories/products-repository';
import * as stores from '../repositories/stores-repository';
import type { StoreWrite } from '../repositories/stores-repository';
import type { StoreRecord } from '../domain/store';
import type { PlacementMethod } from '../domain/placement-method';
import type { ServiceDeps } from './service-deps';

export interface StoreInput {
  slug: string;
  name: string;
  placementMethod: PlacementMethod;
  placementConfig?: Record<string, unknown>;
  webhookSecret?: string;
  fallbackMethod?: 'headless' | 'manual' | null;
  shipping?: { flatCents: number; freeAboveCents?: number };
  priceToleranceCents?: number;
  currency?: string;
}

/** Checks a placement config for a method; field → problem. Supplied by the placement registry. */
export type PlacementConfigValidator = (method: PlacementMethod, config: unknown) => Record<string, string>;

export function createCatalogService(deps: ServiceDeps, validatePlacementConfig: PlacementConfigValidator) {
  const { db } = deps;

  /**
   * The primary method's settings are the top level of placementConfig; a headless fallback keeps its own
   * under placementConfig.fallback (manual needs none).
   */
  function checkPlacement(
    method: PlacementMethod,
    config: Record<string, unknown>,
    fallback: string | null | undefined,
  ) {
    const fields: Record<string, string> = {};
    for (const [path, problem] of Object.entries(validatePlacementConfig(method, config))) {
      fields[`placementConfig.${path}`] = problem;
    }
    if (fallback === method) fields.fallbackMethod = 'must differ from placementMethod';
    if (fallback === 'headless') {
      for (const [path, problem] of Object.entries(validatePlacementConfig('headless', config.fallback ?? {}))) {
        fields[`placementConfig.fallback.${path}`] = problem;
      }
    }
    if (Object.keys(fields).length > 0) throw validationFailed(fields, 'Placement configuration is invalid');
  }

  return {
    async createStore(input: StoreInput): Promise<StoreRecord> {
      const placementConfig = input.placementConfig ?? {};
      checkPlacement(input.placementMethod, placementConfig, input.fallbackMethod);
      const store = await stores.insertStore(db, {
        slug: input.slug,
        name: input.name,
        placementMethod: input.placementMethod,
        placementConfig,
        fallbackMethod: input.fallbackMethod ?? null,
        webhookSecret: input.webhookSecret ?? null,
        currency: input.currency ?? 'usd',
        shippingFlatCents: input.shipping?.flatCents ?? 0,
        shippingFreeAboveCents: input.shipping?.freeAboveCents ?? null,
        priceToleranceCents: input.priceToleranceCents ?? 0,
      });
      if (!store) throw new DomainError('store_exists', `A store with slug "${input.slug}" already exists`);
      return store;
    },

    async updateStore(slug: string, input: Partial<Omit<StoreInput, 'slug'>>): Promise<StoreRecord> {
      const current = await stores.findStoreBySlug(db, slug);
      if (!current) throw new DomainError('store_not_found', `Store "${slug}" not found`);
      const method = input.placementMethod ?? current.placementMethod;
      const config = input.placementConfig ?? current.placementConfig;
      const fallback = input.fallbackMethod === undefined ? current.fallbackMethod : input.fallbackMethod;
      checkPlacement(method, config, fallback);
      const changes: Partial<StoreWrite> = {
        name: input.name,
        placementMethod: input.placementMethod,
        placementConfig: input.placementConfig,
        fallbackMethod: input.fallbackMethod,
        webhookSecret: input.webhookSecret,
        currency: input.currency,
        priceToleranceCents: input.priceToleranceCents,
        ...(input.shipping
          ? {
              shippingFlatCents: input.shipping.flatCents,
              shippingFreeAboveCents: input.shipping.freeAboveCents ?? null,
            }
          : {}),
      };
      const updated = await stores.updateStore(db, slug, changes);
      if (!updated) throw new DomainError('store_not_found', `Store "${slug}" not found`);
      return updated;
    },

    listStores: () => stores.listStores(db),

    async upsertProduct(input: {
      storeSlug: string;
      sku: string;
      name: string;
      priceCents: number;
      productUrl?: string;
      imageUrl?: string;
      available?: boolean;
    }) {
      const store = await stores.findStoreBySlug(db, input.storeSlug);
      if (!store) throw new DomainError('store_not_found', `Store "${input.storeSlug}" not found`);
      const result = await products.upsertProduct(db, { ...input, storeId: store.id });
      return { ...result, store };
    },
  };
}

export type CatalogService = ReturnType<typeof createCatalogService>;
