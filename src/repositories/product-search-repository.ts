import type { Knex } from 'knex';

/** A product as a shopper browses it: with its store's slug, name and currency. */
export interface ProductListing {
  id: string;
  storeId: string;
  storeSlug: string;
  storeName: string;
  currency: string;
  sku: string;
  name: string;
  priceCents: number;
  productUrl: string | null;
  imageUrl: string | null;
  available: boolean;
  updatedAt: Date;
}

export interface ProductFilter {
  /** Matches names and SKUs: substrings, and words within a typo or two (pg_trgm word similarity). */
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

/** `%q%` for ILIKE, with LIKE's own wildcards in the query taken literally. */
const containsPattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function filtered(db: Knex, filter: ProductFilter): Knex.QueryBuilder {
  const query = db('products as p').join('stores as s', 's.id', 'p.store_id');
  if (filter.storeSlug !== undefined) query.where('s.slug', filter.storeSlug);
  if (filter.available !== undefined) query.where('p.available', filter.available);
  if (filter.q !== undefined) {
    const pattern = containsPattern(filter.q);
    // Every branch is answerable from the trigram GIN indexes (ILIKE directly; `q <% col` as its commutator
    // `col %> q`), so Postgres combines index bitmaps instead of reading every product. `<%` uses
    // pg_trgm.word_similarity_threshold (set on every connection, src/db/knex.ts): a word with a typo or two still matches.
    query.whereRaw('(p.name ILIKE ? OR p.sku ILIKE ? OR ? <% p.name OR ? <% p.sku)', [pattern, pattern, filter.q, filter.q]);
  }
  return query;
}

/**
 * One page of products and how many match across all pages. The order is total (it ends with the id), so pages
 * never repeat or skip a product. With `q`, best match first: the exact SKU, then names or SKUs that contain the
 * query, then by word similarity, then by how close the whole name is; without `q`, by name.
 */
export async function searchProducts(
  db: Knex,
  filter: ProductFilter,
  page: { limit: number; offset: number },
): Promise<{ products: ProductListing[]; total: number }> {
  if (filter.q === undefined) {
    // The page walks the (name, id) index; the count is a separate, index-only question.
    const [rows, [{ total }]] = await Promise.all([
      filtered(db, filter).select(LISTING_COLUMNS).orderBy([{ column: 'p.name' }, { column: 'p.id' }]).limit(page.limit).offset(page.offset),
      filtered(db, filter).count<{ total: number }[]>({ total: '*' }),
    ]);
    return { products: rows.map(toListing), total };
  }
  const q = filter.q;
  const pattern = containsPattern(q);
  // Ranking needs every match scored anyway, so the total comes with the page (a window over the same rows).
  const rows = await filtered(db, filter)
    .select([...LISTING_COLUMNS, db.raw('count(*) OVER () AS total')])
    .orderByRaw(
      `(lower(p.sku) = lower(?)) DESC,
       (p.name ILIKE ? OR p.sku ILIKE ?) DESC,
       greatest(word_similarity(?, p.name), word_similarity(?, p.sku)) DESC,
       similarity(?, p.name) DESC,
       p.name, p.id`,
      [q, pattern, pattern, q, q, q],
    )
    .limit(page.limit)
    .offset(page.offset);
  if (rows.length > 0 || page.offset === 0) return { products: rows.map(toListing), total: rows[0]?.total ?? 0 };
  // Past the last page: no row carries the total, so ask for it.
  const [{ total }] = await filtered(db, filter).count<{ total: number }[]>({ total: '*' });
  return { products: [], total };
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
