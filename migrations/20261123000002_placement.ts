import type { Knex } from 'knex';

/**
 * Placement: tasks for people (manual placement, price reviews) and a record of every placement attempt,
 * so ops can see what each adapter did and why an order failed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE ops_tasks (
      id text PRIMARY KEY CHECK (id ~ '^task_[A-Za-z0-9]+$'),
      order_id uuid NOT NULL REFERENCES orders(id),
      kind text NOT NULL CHECK (kind IN ('place_order', 'price_review')),
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'claimed', 'done', 'failed', 'cancelled')),
      payload jsonb NOT NULL,
      claimed_by text,
      claimed_at timestamptz,
      resolved_by text,
      resolved_at timestamptz,
      store_order_number text,
      failure_reason text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (status <> 'claimed' OR claimed_by IS NOT NULL),
      CHECK (status <> 'done' OR store_order_number IS NOT NULL)
    );
    -- At most one live task per order: a re-run of the manual adapter finds it instead of adding another.
    CREATE UNIQUE INDEX ops_tasks_one_live_per_order ON ops_tasks (order_id) WHERE status IN ('open', 'claimed');
    CREATE INDEX ops_tasks_status_idx ON ops_tasks (status, created_at);

    CREATE TABLE placement_attempts (
      id bigserial PRIMARY KEY,
      order_id uuid NOT NULL REFERENCES orders(id),
      method text NOT NULL CHECK (method IN ('api', 'headless', 'manual')),
      attempt integer NOT NULL CHECK (attempt >= 1),
      outcome text NOT NULL CHECK (outcome IN ('placed', 'deferred', 'transient_error', 'permanent_error', 'price_mismatch')),
      error_code text,
      message text,
      details jsonb NOT NULL DEFAULT '{}'::jsonb,
      duration_ms integer NOT NULL CHECK (duration_ms >= 0),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX placement_attempts_order_idx ON placement_attempts (order_id, id);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS placement_attempts, ops_tasks');
}
