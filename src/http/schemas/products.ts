import { z } from 'zod';
import { pagination, slug } from './common';
import { Product } from './catalog';

const search = z.string().trim().max(100, 'must be at most 100 characters').meta({
  description: 'Words of a product name or a SKU; typos are tolerated, best match first. Empty means no search.',
});
const availability = z
  .enum(['true', 'false'])
  .meta({ description: 'Only products that can (true) or cannot (false) be bought now' });

export const StoreProductListQuery = pagination.extend({ q: search.optional(), available: availability.optional() });

export const ProductListQuery = StoreProductListQuery.extend({
  store: slug.optional().meta({ description: 'Only this store’s products (its slug)' }),
});

export const StoreSlugParam = z.object({ slug });

export const CatalogProduct = Product.extend({
  storeName: z.string(),
  currency: z.string(),
  updatedAt: z.iso
    .datetime()
    .meta({ description: 'When the catalog last changed this product (an admin upsert or a sync)' }),
}).meta({ id: 'CatalogProduct' });
