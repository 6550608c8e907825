import type { Knex } from 'knex';

/**
 * Browsing the catalog and keeping it in step with connected retailers.
 *
 * - A pg_trgm GIN index on each product's name and SKU (`name || ' ' || sku`, the expression the search uses) serves
 *   the shopper's search: substring (ILIKE) and typo-tolerant (word similarity, `<%`) matches are both answered
 *   from the index instead of a scan of every product. pg_trgm prices its word-similarity operator like an
 *   integer comparison (COST 1), so the planner would rather compute it on every product than read the index; it
 *   costs about a hundred times that, and is told so. Changing an extension's function needs its owner (a
 *   superuser, as in the tests and the embedded database); without that right the migration says so and goes on
 *   (searches still work, and may scan), and a DBA can run the two ALTER FUNCTIONs.
 * - `products (name, id)` and `(store_id, name, id)` serve the unfiltered lists in their order.
 * - `products.delisted_at`: when the retailer stopped listing the product (its catalog sync made it unavailable);
 *   null while listed. Products are never deleted: orders and carts point at them.
 * - `cart_items.added_unit_price_cents`: the price the shopper saw when adding the line, so the cart can say the
 *   price changed since. Null for lines added before this migration (they report no change).
 * - `catalog_sync_runs`: one row per sync of a store's catalog, with what it found; at most one runs per store
 *   (the partial unique index is the claim), and a run whose process died is taken over once its lease ends.
 * - `catalog_changes`: what a run changed, one row per product and kind, written in the same transaction as the
 *   products themselves, so a run either changed the catalog and says how, or changed nothing.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX products_search_trgm_idx ON products USING gin ((name || ' ' || sku) gin_trgm_ops);
    DO $$ BEGIN
      ALTER FUNCTION word_similarity_op(text, text) COST 100;
      ALTER FUNCTION word_similarity_commutator_op(text, text) COST 100;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'pg_trgm word similarity cost left as it was (run the ALTER FUNCTIONs as the extension owner)';
    END $$;
    CREATE INDEX products_name_idx ON products (name, id);
    CREATE INDEX products_store_name_idx ON products (store_id, name, id);
    ALTER TABLE products ADD COLUMN delisted_at timestamptz;

    ALTER TABLE cart_items ADD COLUMN added_unit_price_cents integer CHECK (added_unit_price_cents >= 0);

    CREATE TABLE catalog_sync_runs (
      id bigserial PRIMARY KEY,
      store_id uuid NOT NULL REFERENCES stores(id),
      status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
      trigger text NOT NULL CHECK (trigger IN ('schedule', 'manual')),
      requested_by text,
      lease_expires_at timestamptz NOT NULL,
      pages_read integer NOT NULL DEFAULT 0 CHECK (pages_read >= 0),
      products_seen integer NOT NULL DEFAULT 0 CHECK (products_seen >= 0),
      added integer NOT NULL DEFAULT 0 CHECK (added >= 0),
      price_changes integer NOT NULL DEFAULT 0 CHECK (price_changes >= 0),
      availability_changes integer NOT NULL DEFAULT 0 CHECK (availability_changes >= 0),
      details_changes integer NOT NULL DEFAULT 0 CHECK (details_changes >= 0),
      delisted integer NOT NULL DEFAULT 0 CHECK (delisted >= 0),
      retries integer NOT NULL DEFAULT 0 CHECK (retries >= 0),
      error text,
      error_transient boolean,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      CHECK ((status = 'running') = (finished_at IS NULL)),
      CHECK (status <> 'failed' OR error IS NOT NULL)
    );
    CREATE UNIQUE INDEX catalog_sync_runs_one_running_idx ON catalog_sync_runs (store_id) WHERE status = 'running';
    CREATE INDEX catalog_sync_runs_store_idx ON catalog_sync_runs (store_id, id DESC);

    CREATE TABLE catalog_changes (
      id bigserial PRIMARY KEY,
      run_id bigint NOT NULL REFERENCES catalog_sync_runs(id),
      store_id uuid NOT NULL REFERENCES stores(id),
      product_id uuid NOT NULL REFERENCES products(id),
      sku text NOT NULL,
      name text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('added', 'price_changed', 'became_unavailable', 'became_available', 'details_changed', 'delisted', 'relisted')),
      old_price_cents integer,
      new_price_cents integer,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX catalog_changes_store_idx ON catalog_changes (store_id, id DESC);
    CREATE INDEX catalog_changes_kind_idx ON catalog_changes (kind, id DESC);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE IF EXISTS catalog_changes;
    DROP TABLE IF EXISTS catalog_sync_runs;
    ALTER TABLE cart_items DROP COLUMN IF EXISTS added_unit_price_cents;
    ALTER TABLE products DROP COLUMN IF EXISTS delisted_at;
    DROP INDEX IF EXISTS products_store_name_idx;
    DROP INDEX IF EXISTS products_name_idx;
    DROP INDEX IF EXISTS products_search_trgm_idx;
  `);
}
