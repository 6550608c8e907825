import { DomainError } from '../domain/errors';
import { searchProducts, type ProductFilter } from '../repositories/product-search-repository';
import type { ProductListing } from '../domain/product';
import { findStoreBySlug } from '../repositories/stores-repository';
import type { ServiceDeps } from './service-deps';

export interface ProductPage {
  products: ProductListing[];
  totalProducts: number;
}

/** What shoppers browse: every store's products, searchable by name and SKU, a page at a time. Public. */
export function createProductBrowseService({ db }: ServiceDeps) {
  return {
    async browse(filter: ProductFilter, page: { limit: number; offset: number }): Promise<ProductPage> {
      const { products, total } = await searchProducts(db, filter, page);
      // A store with no match and a store that does not exist look alike; only then is the store looked up.
      if (total === 0 && filter.storeSlug !== undefined && !(await findStoreBySlug(db, filter.storeSlug))) {
        throw new DomainError('store_not_found', `Store "${filter.storeSlug}" not found`);
      }
      return { products, totalProducts: total };
    },
  };
}

export type ProductBrowseService = ReturnType<typeof createProductBrowseService>;
