import type { Knex } from 'knex';

/**
 * Inbound events (retailer tracking webhooks, Stripe events), stored before they are applied so a repeat of
 * the same event id is accepted once; and ops tasks for cancelling an order a retailer already has.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE retailer_webhook_events (
      id bigserial PRIMARY KEY,
      store_id uuid NOT NULL REFERENCES stores(id),
      event_id text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 255),
      type text NOT NULL,
      order_id uuid REFERENCES orders(id),
      payload jsonb NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('applied', 'ignored')),
      note text,
      received_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (store_id, event_id)
    );

    CREATE TABLE provider_webhook_events (
      id text PRIMARY KEY,
      type text NOT NULL,
      payload jsonb NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('applied', 'ignored')),
      note text,
      received_at timestamptz NOT NULL DEFAULT now()
    );

    ALTER TABLE ops_tasks DROP CONSTRAINT ops_tasks_kind_check;
    ALTER TABLE ops_tasks ADD CONSTRAINT ops_tasks_kind_check CHECK (kind IN ('place_order', 'price_review', 'cancel_order'));
    -- Which order items a refund returns, so a refund resumed after a crash marks the same items.
    ALTER TABLE payment_transactions ADD COLUMN refund_items jsonb;
    -- A cancel task lives beside a finished placement task: one live task per order and kind.
    DROP INDEX ops_tasks_one_live_per_order;
    CREATE UNIQUE INDEX ops_tasks_one_live_per_order ON ops_tasks (order_id, kind) WHERE status IN ('open', 'claimed');
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE IF EXISTS retailer_webhook_events, provider_webhook_events;
    ALTER TABLE payment_transactions DROP COLUMN IF EXISTS refund_items;
    DROP INDEX IF EXISTS ops_tasks_one_live_per_order;
    CREATE UNIQUE INDEX ops_tasks_one_live_per_order ON ops_tasks (order_id) WHERE status IN ('open', 'claimed');
    ALTER TABLE ops_tasks DROP CONSTRAINT ops_tasks_kind_check;
    ALTER TABLE ops_tasks ADD CONSTRAINT ops_tasks_kind_check CHECK (kind IN ('place_order', 'price_review'));
  `);
}
