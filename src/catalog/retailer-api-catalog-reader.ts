import { z } from 'zod';
import { parseRetryAfter } from '../placement/api-adapter';
import { createHttpTransport, HttpTransportError, type HttpTransport } from '../placement/http-transport';
import { CatalogReadError, type CatalogPage, type CatalogReader, type CatalogStore } from './catalog-reader';

const configSchema = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }),
  apiKey: z.string().regex(/\S/),
  timeoutMs: z.int().min(100).max(120_000).default(10_000),
});

const pageSchema = z.object({
  products: z.array(
    z.object({
      sku: z.string().min(1).max(100),
      name: z.string().trim().min(1).max(300),
      priceCents: z.int().min(0).max(100_000_000),
      available: z.boolean(),
      imageUrl: z.url().nullish(),
      productUrl: z.url().nullish(),
    }),
  ),
  nextCursor: z.string().min(1).nullable(),
});

/** Retailers may answer fewer; more per page would make one slow answer cost a whole retry. */
export const CATALOG_PAGE_SIZE = 200;

/**
 * Reads the catalog of an `api` store through the retailer order API's `GET {baseUrl}/products?limit=&cursor=`
 * (docs/contract-additions.md), with the store's API key and timeout, as the placement adapter reaches it.
 */
export function createRetailerApiCatalogReader(
  options: { transport?: HttpTransport; pageSize?: number } = {},
): CatalogReader {
  const transport = options.transport ?? createHttpTransport();
  const pageSize = options.pageSize ?? CATALOG_PAGE_SIZE;

  return {
    platform: 'retailer-api',

    canRead: (store: CatalogStore) =>
      store.placementMethod === 'api' && configSchema.safeParse(store.placementConfig).success,

    async readPage(store, cursor, signal): Promise<CatalogPage> {
      const config = configSchema.parse(store.placementConfig);
      const query = new URLSearchParams({ limit: String(pageSize), ...(cursor === null ? {} : { cursor }) });
      let reply;
      try {
        reply = await transport({
          method: 'GET',
          url: `${config.baseUrl.replace(/\/+$/, '')}/products?${query}`,
          headers: { authorization: `Bearer ${config.apiKey}`, accept: 'application/json' },
          timeoutMs: config.timeoutMs,
          signal,
        });
      } catch (error) {
        if (error instanceof HttpTransportError)
          throw new CatalogReadError(`retailer unreachable: ${error.message}`, error.reason !== 'aborted');
        throw error;
      }
      if (reply.status === 429 || reply.status === 408 || reply.status >= 500) {
        const retryAfterMs = parseRetryAfter(reply.header('retry-after') ?? null, new Date());
        throw new CatalogReadError(`retailer answered ${reply.status}`, true, retryAfterMs);
      }
      if (reply.status !== 200) throw new CatalogReadError(`retailer answered ${reply.status} to GET /products`, false);
      let parsed;
      try {
        parsed = pageSchema.safeParse(JSON.parse(reply.text));
      } catch {
        throw new CatalogReadError('retailer answered GET /products with something other than JSON', false);
      }
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new CatalogReadError(
          `retailer's product page is malformed at ${issue.path.join('.')}: ${issue.message}`,
          false,
        );
      }
      return {
        products: parsed.data.products.map((product) => ({
          ...product,
          imageUrl: product.imageUrl ?? null,
          productUrl: product.productUrl ?? null,
        })),
        nextCursor: parsed.data.nextCursor,
      };
    },
  };
}
