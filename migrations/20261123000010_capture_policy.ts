import type { Knex } from 'knex';

/**
 * The after_placement capture policy: a checkout is authorized at place and captured once its orders are settled.
 *
 * - `checkout_sessions.capture_due_at`: set at place for an authorization (the latest moment to capture it, before
 *   the card network lets it lapse), cleared when the capture or void is recorded. The partial index keeps the
 *   capture sweep a scan of the checkouts still holding an uncaptured authorization.
 * - `orders.captured_cents`: what the checkout's capture took for the order, its total or 0 when it had failed or
 *   been cancelled by then; null when the checkout was charged at place or is not captured yet. Refunds are decided
 *   on it: money left out of the capture was never taken, so there is nothing to give back (or to buy with again).
 * - pending capture/void rows: the sweep carries out those a crash or an outage interrupted.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE checkout_sessions ADD COLUMN capture_due_at timestamptz;
    CREATE INDEX checkout_sessions_capture_due_idx ON checkout_sessions (capture_due_at) WHERE capture_due_at IS NOT NULL;
    ALTER TABLE orders ADD COLUMN captured_cents integer CHECK (captured_cents BETWEEN 0 AND total_cents);
    CREATE INDEX payment_transactions_pending_captures_idx ON payment_transactions (created_at)
      WHERE status = 'pending' AND type IN ('capture', 'void');
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX IF EXISTS payment_transactions_pending_captures_idx;
    ALTER TABLE orders DROP COLUMN IF EXISTS captured_cents;
    DROP INDEX IF EXISTS checkout_sessions_capture_due_idx;
    ALTER TABLE checkout_sessions DROP COLUMN IF EXISTS capture_due_at;
  `);
}
