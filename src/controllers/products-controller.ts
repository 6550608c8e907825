import type { Request, Response } from 'express';
import { sendPage } from '../http/respond';
import { parseInput } from '../http/validate';
import { ProductListQuery, StoreProductListQuery, StoreSlugParam } from '../http/schemas/products';
import type { ProductListing } from '../domain/product';
import type { ProductBrowseService } from '../services/product-browse-service';

const presentListing = (product: ProductListing) => ({
  productId: product.id,
  storeId: product.storeId,
  storeSlug: product.storeSlug,
  storeName: product.storeName,
  currency: product.currency,
  sku: product.sku,
  name: product.name,
  priceCents: product.priceCents,
  productUrl: product.productUrl,
  imageUrl: product.imageUrl,
  available: product.available,
  updatedAt: product.updatedAt.toISOString(),
});

export function createProductsController(browse: ProductBrowseService) {
  async function list(
    res: Response,
    query: { q?: string; store?: string; available?: 'true' | 'false'; limit: number; offset: number },
  ) {
    const filter = {
      q: query.q || undefined,
      storeSlug: query.store,
      available: query.available === undefined ? undefined : query.available === 'true',
    };
    const { products, totalProducts } = await browse.browse(filter, { limit: query.limit, offset: query.offset });
    sendPage(res, products.map(presentListing), { totalProducts, limit: query.limit, offset: query.offset });
  }

  return {
    async listProducts(req: Request, res: Response) {
      await list(res, parseInput(ProductListQuery, req.query, 'query'));
    },
    async listStoreProducts(req: Request, res: Response) {
      const { slug } = parseInput(StoreSlugParam, req.params, 'slug');
      await list(res, { ...parseInput(StoreProductListQuery, req.query, 'query'), store: slug });
    },
  };
}
