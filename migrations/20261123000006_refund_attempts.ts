import type { Knex } from 'knex';

/**
 * When a pending refund was last tried. The resume takes the least recently tried first: ordered by creation,
 * refunds that stay pending at the provider for days would fill every batch and starve newer, crash-left ones.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE payment_transactions ADD COLUMN last_attempt_at timestamptz;
    CREATE INDEX payment_transactions_pending_refunds_idx ON payment_transactions (last_attempt_at NULLS FIRST, created_at)
      WHERE status = 'pending' AND type IN ('refund', 'partial_refund');
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX IF EXISTS payment_transactions_pending_refunds_idx;
    ALTER TABLE payment_transactions DROP COLUMN IF EXISTS last_attempt_at;
  `);
}
