import type { Knex } from 'knex';
import type { ProductListing } from '../domain/product';

export interface ProductFilter {
  /** Matches names and SKUs: the whole query as a substring, or each of its words within a typo or two. */
  q?: string;
  storeSlug?: string;
  available?: boolean;
}

const LISTING_COLUMNS = [
  'p.id',
  'p.store_id',
  'p.sku',
  'p.name',
  'p.price_cents',
  'p.product_url',
  'p.image_url',
  'p.available',
  'p.updated_at',
  's.slug as store_slug',
  's.name as store_name',
  's.currency as store_currency',
];

/** What a search matches: the expression the trigram index (migration 20261202080001) is built on, to the letter. */
const SEARCH_TEXT = "(p.name || ' ' || p.sku)";

/** Words of a query beyond this many are left out of matching (they still rank). */
const MAX_WORDS = 5;

/** `%q%` for ILIKE, with LIKE's own wildcards in the query taken literally. */
const containsPattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function filtered(db: Knex, filter: ProductFilter): Knex.QueryBuilder {
  const query = db('products as p').join('stores as s', 's.id', 'p.store_id');
  if (filter.storeSlug !== undefined) query.where('s.slug', filter.storeSlug);
  if (filter.available !== undefined) query.where('p.available', filter.available);
  if (filter.q !== undefined) {
    // A product matches when it contains the whole query, or each of its words (up to MAX_WORDS) within a typo or
    // two: `w <% text` holds when some word of the text has trigram word similarity ≥ pg_trgm's threshold (set on
    // every connection, src/db/knex.ts). Words under 3 letters have no trigram to forgive a typo with: they must
    // appear as typed. Every condition is answered from the trigram GIN index on SEARCH_TEXT (`w <% text` as its
    // commutator `text %> w`), so Postgres combines index bitmaps instead of reading every product.
    const words = filter.q.split(/\s+/).filter(Boolean).slice(0, MAX_WORDS);
    const each = words
      .map((word) => (word.length < 3 ? `${SEARCH_TEXT} ILIKE ?` : `? <% ${SEARCH_TEXT}`))
      .join(' AND ');
    const bindings = words.map((word) => (word.length < 3 ? containsPattern(word) : word));
    query.whereRaw(`(${SEARCH_TEXT} ILIKE ? OR (${each}))`, [containsPattern(filter.q), ...bindings]);
  }
  return query;
}

/**
 * One page of products and how many match across all pages. The order is total (it ends with the id), so pages
 * never repeat or skip a product. With `q`, best match first: the exact SKU, then names or SKUs that contain the
 * query, then by word similarity, then shorter names first; without `q`, by name.
 */
export async function searchProducts(
  db: Knex,
  filter: ProductFilter,
  page: { limit: number; offset: number },
): Promise<{ products: ProductListing[]; total: number }> {
  if (filter.q === undefined) {
    // The page walks the (name, id) index; the count is a separate, index-only question.
    const [rows, [{ total }]] = await Promise.all([
      filtered(db, filter)
        .select(LISTING_COLUMNS)
        .orderBy([{ column: 'p.name' }, { column: 'p.id' }])
        .limit(page.limit)
        .offset(page.offset),
      filtered(db, filter).count<{ total: number }[]>({ total: '*' }),
    ]);
    return { products: rows.map(toListing), total };
  }
  const rows = await rankedPageQuery(db, { ...filter, q: filter.q }, page);
  if (rows.length > 0 || page.offset === 0) return { products: rows.map(toListing), total: rows[0]?.total ?? 0 };
  // Past the last page: no row carries the total, so ask for it.
  const [{ total }] = await filtered(db, filter).count<{ total: number }[]>({ total: '*' });
  return { products: [], total };
}

/**
 * The ranked search itself, one statement: the page of matches, best first, each row with the total matching (a
 * window over the same rows: ranking scores every match anyway). Exported for bench/catalog-search.ts, which runs
 * the same SQL bare.
 */
export function rankedPageQuery(
  db: Knex,
  filter: ProductFilter & { q: string },
  page: { limit: number; offset: number },
): Knex.QueryBuilder {
  const { q } = filter;
  const pattern = containsPattern(q);
  return filtered(db, filter)
    .select([...LISTING_COLUMNS, db.raw('count(*) OVER () AS total')])
    .orderByRaw(
      // One trigram comparison per match (they dominate the cost of a broad search); among equals, shorter names
      // are closer to what was typed.
      `(lower(p.sku) = lower(?)) DESC,
       (${SEARCH_TEXT} ILIKE ?) DESC,
       word_similarity(?, ${SEARCH_TEXT}) DESC,
       length(p.name), p.name, p.id`,
      [q, pattern, q],
    )
    .limit(page.limit)
    .offset(page.offset);
}

function toListing(row: Record<string, any>): ProductListing {
  return {
    id: row.id,
    storeId: row.store_id,
    storeSlug: row.store_slug,
    storeName: row.store_name,
    currency: row.store_currency,
    sku: row.sku,
    name: row.name,
    priceCents: row.price_cents,
    productUrl: row.product_url,
    imageUrl: row.image_url,
    available: row.available,
    updatedAt: row.updated_at,
  };
}
