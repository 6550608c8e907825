import type { Knex } from 'knex';

/**
 * The overdue-settlement sweep looks at checkouts still `placed`: the partial index keeps that a scan of the
 * checkouts in flight rather than of every checkout ever placed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX checkout_sessions_placed_idx ON checkout_sessions (updated_at) WHERE status = 'placed'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS checkout_sessions_placed_idx');
}
