import type { Knex } from 'knex';

/**
 * Store health and the levers ops pull on a store. A pause and a method override live on the store row (every
 * API and worker process reads the same answer); each pull of a lever is a row with who and why, never edited.
 * The indexes serve the health figures: a store's orders by age, attempts and tasks by age, each order's tasks.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE stores
      ADD COLUMN paused_at timestamptz,
      ADD COLUMN paused_by text,
      ADD COLUMN pause_reason text,
      -- Set by ops during an outage: orders whose placement has not started go by this method instead.
      ADD COLUMN method_override text CHECK (method_override IN ('api', 'headless', 'manual')),
      ADD CONSTRAINT stores_pause_complete CHECK ((paused_at IS NULL) = (paused_by IS NULL));

    CREATE TABLE store_lever_events (
      id bigserial PRIMARY KEY,
      store_id uuid NOT NULL REFERENCES stores(id),
      action text NOT NULL CHECK (action IN ('pause', 'resume', 'switch_method')),
      actor text NOT NULL,
      reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
      from_method text,
      to_method text,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (action <> 'switch_method' OR to_method IS NOT NULL)
    );
    CREATE INDEX store_lever_events_store_idx ON store_lever_events (store_id, id DESC);

    CREATE INDEX orders_store_created_idx ON orders (store_id, created_at);
    -- Attempts are only ever appended, so rows lie in created_at order: a BRIN range costs almost nothing to keep.
    CREATE INDEX placement_attempts_created_brin ON placement_attempts USING brin (created_at);
    CREATE INDEX ops_tasks_created_idx ON ops_tasks (created_at);
    CREATE INDEX ops_tasks_order_idx ON ops_tasks (order_id);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX IF EXISTS ops_tasks_order_idx;
    DROP INDEX IF EXISTS ops_tasks_created_idx;
    DROP INDEX IF EXISTS placement_attempts_created_brin;
    DROP INDEX IF EXISTS orders_store_created_idx;
    DROP TABLE IF EXISTS store_lever_events;
    ALTER TABLE stores DROP CONSTRAINT IF EXISTS stores_pause_complete,
      DROP COLUMN IF EXISTS method_override, DROP COLUMN IF EXISTS pause_reason,
      DROP COLUMN IF EXISTS paused_by, DROP COLUMN IF EXISTS paused_at;
  `);
}
