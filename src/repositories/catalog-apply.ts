import type { Knex } from 'knex';
import type { RetailerProduct } from '../catalog/catalog-reader';
import type { CatalogChangeCounts } from '../domain/catalog-sync';

const INSERT_CHUNK = 1000;

/** The run was closed by someone else meanwhile (its lease ran out and another run took over): nothing is written. */
export class CatalogRunTakenOverError extends Error {
  constructor(runId: number) {
    super(`catalog sync run ${runId} is no longer running`);
    this.name = 'CatalogRunTakenOverError';
  }
}

/**
 * Brings the store's products in line with the retailer's whole catalog, records each change, and closes the run as
 * succeeded: one transaction, so a run either changed the catalog and says how, or changed nothing. Products the
 * retailer no longer lists become unavailable (`delisted`), never deleted: orders and carts point at them. Only
 * differences are written, so running it again with the same catalog changes nothing and records no change.
 */
export async function applyCatalog(
  db: Knex,
  run: { id: number; storeId: string; now: Date; pagesRead: number; retries: number },
  products: readonly RetailerProduct[],
): Promise<CatalogChangeCounts> {
  return db.transaction(async (trx) => {
    // Holding the run's row keeps a takeover (claimRun closing an expired lease) from interleaving with this write.
    const live = await trx('catalog_sync_runs').where({ id: run.id, status: 'running' }).forUpdate().first('id');
    if (!live) throw new CatalogRunTakenOverError(run.id);

    await trx.raw(`CREATE TEMP TABLE incoming_products (
      sku text PRIMARY KEY, name text NOT NULL, price_cents integer NOT NULL, available boolean NOT NULL,
      image_url text, product_url text) ON COMMIT DROP`);
    for (let start = 0; start < products.length; start += INSERT_CHUNK) {
      const rows = products.slice(start, start + INSERT_CHUNK).map((p) => ({
        sku: p.sku,
        name: p.name,
        price_cents: p.priceCents,
        available: p.available,
        image_url: p.imageUrl,
        product_url: p.productUrl,
      }));
      await trx('incoming_products').insert(rows);
    }
    const bind = { run: run.id, store: run.storeId };

    const added = await trx.raw(
      `WITH added AS (
         INSERT INTO products (store_id, sku, name, price_cents, available, image_url, product_url)
         SELECT :store, i.sku, i.name, i.price_cents, i.available, i.image_url, i.product_url FROM incoming_products i
         WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.store_id = :store AND p.sku = i.sku)
         RETURNING id, sku, name, price_cents)
       INSERT INTO catalog_changes (run_id, store_id, product_id, sku, name, kind, new_price_cents)
       SELECT :run, :store, id, sku, name, 'added', price_cents FROM added`,
      bind,
    );

    // Joining products a second time (`old`) reads each row as it was before this statement: the old values.
    const changed = await trx.raw(
      `WITH changed AS (
         UPDATE products p
         SET name = i.name, price_cents = i.price_cents, available = i.available, image_url = i.image_url,
             product_url = i.product_url, delisted_at = NULL, updated_at = now()
         FROM incoming_products i, products old
         WHERE p.store_id = :store AND p.sku = i.sku AND old.id = p.id
           AND (old.name, old.price_cents, old.available, old.image_url, old.product_url, old.delisted_at IS NULL)
               IS DISTINCT FROM (i.name, i.price_cents, i.available, i.image_url, i.product_url, true)
         RETURNING p.id, p.sku, p.name, old.price_cents AS old_price, p.price_cents AS new_price,
           old.available AS was_available, p.available AS is_available, old.delisted_at IS NOT NULL AS relisted,
           (old.name, old.image_url, old.product_url) IS DISTINCT FROM (p.name, p.image_url, p.product_url) AS details
       ), kinds AS (
         SELECT c.id, c.sku, c.name, c.old_price, c.new_price, k.kind
         FROM changed c CROSS JOIN LATERAL (VALUES
           (CASE WHEN c.relisted THEN 'relisted' END),
           (CASE WHEN c.old_price <> c.new_price THEN 'price_changed' END),
           (CASE WHEN NOT c.relisted AND c.was_available <> c.is_available
                 THEN CASE WHEN c.is_available THEN 'became_available' ELSE 'became_unavailable' END END),
           (CASE WHEN c.details THEN 'details_changed' END)) AS k(kind)
         WHERE k.kind IS NOT NULL
       ), recorded AS (
         INSERT INTO catalog_changes (run_id, store_id, product_id, sku, name, kind, old_price_cents, new_price_cents)
         SELECT :run, :store, id, sku, name, kind,
           CASE WHEN kind = 'price_changed' THEN old_price END, CASE WHEN kind = 'price_changed' THEN new_price END
         FROM kinds
         RETURNING kind)
       SELECT kind, count(*) AS n FROM recorded GROUP BY kind`,
      bind,
    );

    const delisted = await trx.raw(
      `WITH gone AS (
         UPDATE products p SET available = false, delisted_at = now(), updated_at = now()
         WHERE p.store_id = :store AND p.delisted_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM incoming_products i WHERE i.sku = p.sku)
         RETURNING p.id, p.sku, p.name, p.price_cents)
       INSERT INTO catalog_changes (run_id, store_id, product_id, sku, name, kind, old_price_cents)
       SELECT :run, :store, id, sku, name, 'delisted', price_cents FROM gone`,
      bind,
    );

    const byKind = new Map<string, number>(changed.rows.map((row: { kind: string; n: number }) => [row.kind, row.n]));
    const counts: CatalogChangeCounts = {
      added: added.rowCount ?? 0,
      priceChanges: byKind.get('price_changed') ?? 0,
      availabilityChanges:
        (byKind.get('became_available') ?? 0) + (byKind.get('became_unavailable') ?? 0) + (byKind.get('relisted') ?? 0),
      detailsChanges: byKind.get('details_changed') ?? 0,
      delisted: delisted.rowCount ?? 0,
    };
    await trx('catalog_sync_runs').where({ id: run.id }).update({
      status: 'succeeded',
      pages_read: run.pagesRead,
      products_seen: products.length,
      retries: run.retries,
      added: counts.added,
      price_changes: counts.priceChanges,
      availability_changes: counts.availabilityChanges,
      details_changes: counts.detailsChanges,
      delisted: counts.delisted,
      finished_at: run.now,
    });
    return counts;
  });
}
