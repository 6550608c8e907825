import type { StoreShippingOption } from '../domain/cart-snapshot';
import { DomainError } from '../domain/errors';
import { findShippingOptions, saveShippingOptions } from '../repositories/shipping-options-repository';
import type { ServiceDeps } from './service-deps';

export interface StoreShippingOptionsView {
  storeSlug: string;
  options: StoreShippingOption[];
  usesFlatRule: boolean;
}

/** The shipping options a store offers its shoppers (a checkout lists them per store and the shopper picks one). */
export function createShippingOptionsService({ db }: ServiceDeps) {
  const view = (storeSlug: string, options: StoreShippingOption[] | null): StoreShippingOptionsView => ({
    storeSlug,
    options: options ?? [],
    usesFlatRule: !options?.length,
  });
  return {
    async get(slug: string): Promise<StoreShippingOptionsView> {
      const options = await findShippingOptions(db, slug);
      if (options === undefined) throw new DomainError('store_not_found', `No store ${slug}`);
      return view(slug, options);
    },
    /** Replaces the store's options; none goes back to one standard option from its flat rule. Open sessions keep theirs. */
    async set(slug: string, options: StoreShippingOption[]): Promise<StoreShippingOptionsView> {
      const normalized = options.map((option) => ({
        id: option.id,
        name: option.name,
        priceCents: option.priceCents,
        freeAboveCents: option.freeAboveCents ?? null,
        minDays: option.minDays ?? null,
        maxDays: option.maxDays ?? null,
      }));
      const stored = normalized.length > 0 ? normalized : null;
      if (!(await saveShippingOptions(db, slug, stored))) throw new DomainError('store_not_found', `No store ${slug}`);
      return view(slug, stored);
    },
  };
}

export type ShippingOptionsService = ReturnType<typeof createShippingOptionsService>;
