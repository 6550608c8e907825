import { z } from 'zod';
import type { AddOperation } from './openapi-operation';
import { RATE_LIMITED } from './openapi-operation';
import {
  AdminStore,
  CreateStoreInput,
  Product,
  Store,
  StoreCheckResult,
  UpdateStoreInput,
  UpsertProductInput,
} from './schemas/catalog';
import { CatalogProduct, ProductListQuery, StoreProductListQuery } from './schemas/products';

const SlugParam = z.object({ slug: z.string() });

/** Stores and products: browsed by anyone, created and updated by admins. */
export function describeCatalogApi(add: AddOperation): void {
  add('get', '/stores', {
    summary: 'List stores',
    tags: ['Catalog'],
    auth: 'none',
    response: z.array(Store),
    errors: { 429: RATE_LIMITED },
  });
  add('get', '/products', {
    summary: 'Browse and search every store’s products (best match first with q)',
    tags: ['Catalog'],
    auth: 'none',
    query: ProductListQuery,
    response: CatalogProduct,
    pageTotal: 'totalProducts',
    errors: { 404: 'store_not_found', 429: RATE_LIMITED },
  });
  add('get', '/stores/{slug}/products', {
    summary: 'Browse and search one store’s products',
    tags: ['Catalog'],
    auth: 'none',
    params: SlugParam,
    query: StoreProductListQuery,
    response: CatalogProduct,
    pageTotal: 'totalProducts',
    errors: { 404: 'store_not_found', 429: RATE_LIMITED },
  });
  add('post', '/admin/stores', {
    summary: 'Create a store',
    tags: ['Admin'],
    body: CreateStoreInput,
    response: AdminStore,
    status: 201,
    errors: { 403: 'forbidden', 409: 'store_exists' },
  });
  add('put', '/admin/stores/{slug}', {
    summary: 'Update a store',
    tags: ['Admin'],
    params: SlugParam,
    body: UpdateStoreInput,
    response: AdminStore,
    errors: { 403: 'forbidden', 404: 'store_not_found' },
  });
  add('post', '/admin/stores/{slug}/check', {
    summary:
      'Check a store’s placement config against its retailer without buying (api: reach, sign in, price one product; headless: Chromium, sign in, open the recipe’s first page)',
    tags: ['Admin'],
    params: SlugParam,
    response: StoreCheckResult,
    errors: { 403: 'forbidden', 404: 'store_not_found' },
  });
  add('put', '/admin/products', {
    summary: 'Create or update a product by (store, sku)',
    tags: ['Admin'],
    body: UpsertProductInput,
    response: Product,
    status: { 201: 'Created: the store had no product with this sku', 200: 'Updated' },
    errors: { 403: 'forbidden', 404: 'store_not_found' },
  });
}
