import type { Knex } from 'knex';

/**
 * Money that moves at Stripe without the service asking: refunds made in Stripe's dashboard, disputes, and the
 * daily reconciliation that compares Stripe with the ledger.
 *
 * - `payment_transactions.source`: `service` for movements the service made, `stripe` for those it learnt of from
 *   Stripe's events. `attribution` says how an outside refund was split over the checkout's orders
 *   (`whole_order`: its amount matched what one order had left; `spread`: shared over the orders by what each had
 *   left). One Stripe refund spread over two orders is two rows, so the refund id is unique per order for them.
 * - `dispute_loss`: a lost dispute, money the card network took back, counted per order like a refund.
 * - `disputes` / `dispute_orders`: every dispute Stripe opened on a checkout's payment, and the orders it concerns.
 * - `reconciliation_runs`: each comparison with Stripe for a period and the drift it found (it changes nothing).
 * - indexes to find a checkout by its PaymentIntent, as Stripe's events and lists name it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE payment_transactions ADD COLUMN source text NOT NULL DEFAULT 'service' CHECK (source IN ('service', 'stripe'));
    ALTER TABLE payment_transactions ADD COLUMN attribution text CHECK (attribution IN ('whole_order', 'spread'));
    ALTER TABLE payment_transactions DROP CONSTRAINT payment_transactions_type_check;
    ALTER TABLE payment_transactions ADD CONSTRAINT payment_transactions_type_check
      CHECK (type IN ('charge', 'authorization', 'capture', 'void', 'refund', 'partial_refund', 'dispute_loss'));
    ALTER TABLE payment_transactions ADD CONSTRAINT payment_transactions_dispute_order_check
      CHECK (type <> 'dispute_loss' OR order_id IS NOT NULL);
    ALTER TABLE payment_transactions DROP CONSTRAINT payment_transactions_stripe_refund_id_key;
    CREATE UNIQUE INDEX payment_transactions_service_refund_idx ON payment_transactions (stripe_refund_id)
      WHERE source = 'service' AND stripe_refund_id IS NOT NULL;
    CREATE UNIQUE INDEX payment_transactions_outside_refund_idx ON payment_transactions (stripe_refund_id, order_id)
      WHERE source = 'stripe' AND stripe_refund_id IS NOT NULL;
    CREATE INDEX payment_transactions_refund_id_idx ON payment_transactions (stripe_refund_id) WHERE stripe_refund_id IS NOT NULL;
    CREATE INDEX payment_transactions_intent_idx ON payment_transactions (stripe_payment_intent_id) WHERE stripe_payment_intent_id IS NOT NULL;
    CREATE INDEX payment_transactions_created_idx ON payment_transactions (created_at);
    CREATE INDEX checkout_sessions_payment_intent_idx ON checkout_sessions (payment_intent_id) WHERE payment_intent_id IS NOT NULL;

    CREATE TABLE disputes (
      id text PRIMARY KEY CHECK (id ~ '^(dp|du)_[A-Za-z0-9]+$'),
      checkout_session_id text NOT NULL REFERENCES checkout_sessions(id),
      payment_intent_id text NOT NULL,
      charge_id text,
      amount_cents integer NOT NULL CHECK (amount_cents > 0),
      currency text NOT NULL,
      reason text,
      status text NOT NULL,
      -- How the dispute was split over the checkout's orders, as for a refund made outside the service.
      attribution text NOT NULL CHECK (attribution IN ('whole_order', 'spread')),
      opened_at timestamptz NOT NULL,
      closed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX disputes_session_idx ON disputes (checkout_session_id);
    CREATE INDEX disputes_open_idx ON disputes (opened_at) WHERE closed_at IS NULL;

    CREATE TABLE dispute_orders (
      dispute_id text NOT NULL REFERENCES disputes(id),
      order_id uuid NOT NULL REFERENCES orders(id),
      amount_cents integer NOT NULL CHECK (amount_cents >= 0),
      PRIMARY KEY (dispute_id, order_id)
    );
    CREATE INDEX dispute_orders_order_idx ON dispute_orders (order_id);

    CREATE TABLE reconciliation_runs (
      id bigserial PRIMARY KEY,
      period_start timestamptz NOT NULL,
      period_end timestamptz NOT NULL CHECK (period_end > period_start),
      trigger text NOT NULL CHECK (trigger IN ('daily', 'manual')),
      status text NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      drift_count integer,
      report jsonb,
      error text
    );
    -- One daily run per day: the claim that keeps every instance from reconciling the same day at once.
    CREATE UNIQUE INDEX reconciliation_runs_daily_idx ON reconciliation_runs (period_start) WHERE trigger = 'daily';
    CREATE INDEX reconciliation_runs_recent_idx ON reconciliation_runs (started_at DESC);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE IF EXISTS reconciliation_runs, dispute_orders, disputes;
    DROP INDEX IF EXISTS checkout_sessions_payment_intent_idx;
    DROP INDEX IF EXISTS payment_transactions_created_idx;
    DROP INDEX IF EXISTS payment_transactions_intent_idx;
    DROP INDEX IF EXISTS payment_transactions_refund_id_idx;
    DROP INDEX IF EXISTS payment_transactions_outside_refund_idx;
    DROP INDEX IF EXISTS payment_transactions_service_refund_idx;
    DELETE FROM payment_transactions WHERE source = 'stripe' OR type = 'dispute_loss';
    ALTER TABLE payment_transactions ADD CONSTRAINT payment_transactions_stripe_refund_id_key UNIQUE (stripe_refund_id);
    ALTER TABLE payment_transactions DROP CONSTRAINT payment_transactions_dispute_order_check;
    ALTER TABLE payment_transactions DROP CONSTRAINT payment_transactions_type_check;
    ALTER TABLE payment_transactions ADD CONSTRAINT payment_transactions_type_check
      CHECK (type IN ('charge', 'authorization', 'capture', 'void', 'refund', 'partial_refund'));
    ALTER TABLE payment_transactions DROP COLUMN attribution;
    ALTER TABLE payment_transactions DROP COLUMN source;
  `);
}
