import type { ShippingOptionsSource, StoreShippingOption } from '../domain/cart-snapshot';
import { DomainError } from '../domain/errors';
import {
  findPlacementMethod,
  findShippingSettings,
  saveShippingSettings,
  type StoreShippingSettings,
} from '../repositories/shipping-options-repository';
import type { ServiceDeps } from './service-deps';

export interface StoreShippingOptionsView {
  storeSlug: string;
  options: StoreShippingOption[];
  usesFlatRule: boolean;
  /** `retailer`: checkouts list what the retailer quotes; `options` (or the flat rule) stand in when it cannot answer. */
  source: ShippingOptionsSource;
}

/** The shipping options a store offers its shoppers (a checkout lists them per store and the shopper picks one). */
export function createShippingOptionsService({ db }: ServiceDeps) {
  const view = (storeSlug: string, { options, source }: StoreShippingSettings): StoreShippingOptionsView => ({
    storeSlug,
    options: options ?? [],
    usesFlatRule: !options?.length,
    source,
  });
  return {
    async get(slug: string): Promise<StoreShippingOptionsView> {
      const settings = await findShippingSettings(db, slug);
      if (settings === undefined) throw new DomainError('store_not_found', `No store ${slug}`);
      return view(slug, settings);
    },
    /**
     * Replaces the store's options (and where checkouts take them from: `store` unless told); none goes back to one
     * standard option from its flat rule. Open sessions keep theirs.
     */
    async set(
      slug: string,
      options: StoreShippingOption[],
      source: ShippingOptionsSource = 'store',
    ): Promise<StoreShippingOptionsView> {
      const normalized = options.map((option) => ({
        id: option.id,
        name: option.name,
        priceCents: option.priceCents,
        freeAboveCents: option.freeAboveCents ?? null,
        minDays: option.minDays ?? null,
        maxDays: option.maxDays ?? null,
      }));
      if (source === 'retailer') {
        const method = await findPlacementMethod(db, slug);
        if (method === undefined) throw new DomainError('store_not_found', `No store ${slug}`);
        // Only a connector to the retailer's own API can ask it; people and recipes cannot quote.
        if (method !== 'api') {
          throw new DomainError(
            'shipping_not_quotable',
            `Store ${slug} is placed by ${method}: only a store placed through its retailer's API can list the retailer's shipping options`,
            { placementMethod: method },
          );
        }
      }
      const settings = { options: normalized.length > 0 ? normalized : null, source };
      if (!(await saveShippingSettings(db, slug, settings)))
        throw new DomainError('store_not_found', `No store ${slug}`);
      return view(slug, settings);
    },
  };
}

export type ShippingOptionsService = ReturnType<typeof createShippingOptionsService>;
