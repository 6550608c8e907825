import type { Knex } from 'knex';

/**
 * When a place attempt began. Its charge is repeated after a crash with the attempt's idempotency key only while
 * the provider still remembers that key; the age of the attempt tells when that stops being true.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE checkout_sessions ADD COLUMN attempt_started_at timestamptz');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE checkout_sessions DROP COLUMN IF EXISTS attempt_started_at');
}
