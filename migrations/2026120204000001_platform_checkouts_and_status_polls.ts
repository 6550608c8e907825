import type { Knex } from 'knex';

/**
 * platform_checkouts: what a platform connector learnt about the retailer-side order it started for one of ours
 * (for Vendure: the order code and the session token), written BEFORE it pays. A retry after a crash reads it and
 * resumes or finds that order instead of buying again. Keyed by our order number and the platform, not by a
 * foreign key, so a connector can be exercised on its own; the row outlives the order's placement as evidence.
 *
 * order_status_polls: when each placed order of a platform that sends no webhooks is next asked for its status, and
 * how many asks in a row saw no change (the backoff).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE platform_checkouts (
      order_number text NOT NULL,
      platform text NOT NULL,
      data jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (order_number, platform)
    )
  `);
  await knex.raw(`
    CREATE TABLE order_status_polls (
      order_id uuid PRIMARY KEY REFERENCES orders(id) ON DELETE CASCADE,
      next_poll_at timestamptz NOT NULL,
      unchanged_polls integer NOT NULL DEFAULT 0 CHECK (unchanged_polls >= 0),
      last_remote_state text,
      last_error text,
      polled_at timestamptz
    )
  `);
  await knex.raw('CREATE INDEX order_status_polls_due_idx ON order_status_polls (next_poll_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS order_status_polls');
  await knex.raw('DROP TABLE IF EXISTS platform_checkouts');
}
