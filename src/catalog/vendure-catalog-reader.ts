import { z } from 'zod';
import { createHttpTransport, type HttpTransport } from '../placement/http-transport';
import { PermanentPlacementError, TransientPlacementError } from '../placement/placement-adapter';
import { VENDURE } from '../placement/connectors/vendure';
import { createVendureApiFactory } from '../placement/connectors/vendure-graphql';
import {
  CatalogReadError,
  type CatalogPage,
  type CatalogReader,
  type CatalogStore,
  type RetailerProduct,
} from './catalog-reader';

/** What reading needs of a Vendure store's placement config: the Shop API alone (no admin session, nothing bought). */
const configSchema = z.object({
  platform: z.literal(VENDURE),
  shopApiUrl: z.url({ protocol: /^https?$/ }),
  channelToken: z.string().min(1).optional(),
  timeoutMs: z.int().min(100).max(120_000).default(10_000),
});

/** Vendure's default `shopListQueryLimit` is 100: a bigger page would be refused. */
export const VENDURE_CATALOG_PAGE_SIZE = 100;

interface ShopVariant {
  sku: string;
  name: string;
  price: number;
  stockLevel: string;
  featuredAsset: { preview: string } | null;
}
interface ShopProduct {
  slug: string;
  featuredAsset: { preview: string } | null;
  variants: ShopVariant[];
}

// Sorted by id so that take/skip pages neither skip nor repeat a product while the catalog is read.
const PRODUCTS_QUERY = `query CatalogPage($take: Int!, $skip: Int!) {
  products(options: { take: $take, skip: $skip, sort: { id: ASC } }) {
    totalItems
    items { slug featuredAsset { preview } variants { sku name price stockLevel featuredAsset { preview } } }
  }
}`;

/**
 * Reads the catalog of a store placed through the Vendure connector (`placementConfig.platform: 'vendure'`) from
 * its public Shop API `products` query, one page of products (each with all its variants) at a time. One variant
 * is one of our products: its SKU, its price before tax in minor units (we charge the tax ourselves, as the
 * connector's price guard assumes), in stock unless Vendure says OUT_OF_STOCK. Disabled products and variants are
 * not in the Shop API at all, so a sync finds them delisted, i.e. unavailable.
 */
export function createVendureCatalogReader(
  options: { transport?: HttpTransport; pageSize?: number } = {},
): CatalogReader {
  const apiFor = createVendureApiFactory(options.transport ?? createHttpTransport());
  const pageSize = options.pageSize ?? VENDURE_CATALOG_PAGE_SIZE;

  return {
    platform: VENDURE,

    canRead: (store: CatalogStore) =>
      store.placementMethod === 'api' && configSchema.safeParse(store.placementConfig).success,

    async readPage(store, cursor, signal): Promise<CatalogPage> {
      const config = configSchema.parse(store.placementConfig);
      const skip = cursor === null ? 0 : Number(cursor);
      if (!Number.isSafeInteger(skip) || skip < 0)
        throw new CatalogReadError(`not a Vendure catalog cursor: ${cursor}`, false);
      // Only the Shop API is called: the admin fields are never used by a reader.
      const api = apiFor(
        {
          shopApiUrl: config.shopApiUrl,
          adminApiUrl: config.shopApiUrl,
          adminUsername: '',
          adminPassword: '',
          channelToken: config.channelToken,
          timeoutMs: config.timeoutMs,
        },
        signal,
      );
      let data: { products?: { totalItems: number; items: ShopProduct[] } };
      try {
        ({ data } = await api.shop<typeof data>('catalog_page', PRODUCTS_QUERY, { take: pageSize, skip }));
      } catch (error) {
        if (error instanceof TransientPlacementError)
          throw new CatalogReadError(error.message, true, error.retryAfterMs);
        if (error instanceof PermanentPlacementError) throw new CatalogReadError(error.message, false);
        throw error;
      }
      const list = data.products;
      if (!list || !Array.isArray(list.items) || typeof list.totalItems !== 'number') {
        throw new CatalogReadError("vendure catalog_page: the Shop API's products answer is malformed", false);
      }
      const origin = new URL(config.shopApiUrl);
      const products = list.items.flatMap((product) =>
        product.variants.map((variant) => toProduct(product, variant, origin)),
      );
      const read = skip + list.items.length;
      return { products, nextCursor: list.items.length > 0 && read < list.totalItems ? String(read) : null };
    },
  };
}

function toProduct(product: ShopProduct, variant: ShopVariant, origin: URL): RetailerProduct {
  if (!variant.sku || !Number.isSafeInteger(variant.price) || variant.price < 0) {
    throw new CatalogReadError(
      `vendure catalog_page: variant ${JSON.stringify(variant.sku)} of ${product.slug} has no SKU or no price`,
      false,
    );
  }
  return {
    sku: variant.sku,
    name: variant.name.trim() || product.slug,
    priceCents: variant.price,
    available: inStock(variant.stockLevel),
    imageUrl: absolute(variant.featuredAsset?.preview ?? product.featuredAsset?.preview, origin),
    // Vendure has no storefront of its own: a product page address is the shop's front end's business.
    productUrl: null,
  };
}

/** The default stock display strategy says IN_STOCK / LOW_STOCK / OUT_OF_STOCK; a shop's own may say a count. */
function inStock(stockLevel: string): boolean {
  if (/^-?\d+$/.test(stockLevel)) return Number(stockLevel) > 0;
  return stockLevel !== 'OUT_OF_STOCK';
}

/** Vendure's asset server may answer paths relative to the API's host. */
function absolute(url: string | undefined, origin: URL): string | null {
  if (!url) return null;
  try {
    const resolved = new URL(url, origin);
    return /^https?:$/.test(resolved.protocol) ? resolved.toString() : null;
  } catch {
    return null;
  }
}
