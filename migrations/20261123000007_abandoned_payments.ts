import type { Knex } from 'knex';

/**
 * A shopper can finish 3-D Secure for a checkout they never come back to place. The abandoned-payment sweep looks
 * for sessions still holding such a PaymentIntent: the partial index keeps that a scan of the few candidates rather
 * than of every session ever opened.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE INDEX checkout_sessions_earlier_payment_idx ON checkout_sessions (updated_at)
      WHERE payment_intent_id IS NOT NULL AND status IN ('pending', 'cancelled');
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS checkout_sessions_earlier_payment_idx');
}
