import type { Knex } from 'knex';

/**
 * Events out: the outbox, the shopping app's webhook endpoints with their deliveries, and the shopper's emails.
 *
 * - `outbox_events`: one row per event, written by the same statement as the change that causes it (an order's
 *   move, a checkout's place or settle, a refund's ledger row), so a crash can neither lose nor invent one. `seq`
 *   orders the events of one checkout: its orders' moves are serialized by the order row's lock, so a later move
 *   always gets a higher seq. `data` is the changed row as it was then; `body` is the JSON sent, fixed once by the
 *   dispatcher so every endpoint and every redelivery gets the same bytes. `dispatched_at` null: not fanned out yet.
 * - `webhook_deliveries`: one per (endpoint, event), delivered in `seq` order per checkout (`ordering_key`);
 *   `locked_until` is the lease of the one send in flight, so two jobs for the same delivery never both POST.
 * - `email_deliveries`: at most one per event (the unique key is what makes "never twice" hold across retries).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE outbox_events (
      seq bigserial PRIMARY KEY,
      event_id text NOT NULL UNIQUE DEFAULT ('evt_' || replace(gen_random_uuid()::text, '-', '')),
      type text NOT NULL,
      checkout_session_id text NOT NULL,
      order_id uuid,
      data jsonb NOT NULL,
      body text,
      created_at timestamptz NOT NULL DEFAULT now(),
      dispatched_at timestamptz
    );
    CREATE INDEX outbox_events_undispatched_idx ON outbox_events (seq) WHERE dispatched_at IS NULL;

    CREATE TABLE webhook_endpoints (
      id text PRIMARY KEY,
      url text NOT NULL,
      description text,
      event_types text[] NOT NULL,
      secret text NOT NULL,
      previous_secret text,
      previous_secret_expires_at timestamptz,
      status text NOT NULL DEFAULT 'enabled' CHECK (status IN ('enabled', 'disabled')),
      disabled_reason text,
      failing_since timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE webhook_deliveries (
      id bigserial PRIMARY KEY,
      endpoint_id text NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
      event_seq bigint NOT NULL REFERENCES outbox_events(seq),
      ordering_key text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      last_status_code integer,
      last_error text,
      last_attempt_at timestamptz,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      locked_until timestamptz,
      delivered_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (endpoint_id, event_seq)
    );
    CREATE INDEX webhook_deliveries_line_idx ON webhook_deliveries (endpoint_id, ordering_key, event_seq) WHERE status = 'pending';
    CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id DESC);

    CREATE TABLE email_deliveries (
      id bigserial PRIMARY KEY,
      event_seq bigint NOT NULL UNIQUE REFERENCES outbox_events(seq),
      template text NOT NULL,
      to_address text NOT NULL,
      subject text NOT NULL,
      text_body text NOT NULL,
      html_body text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'kept')),
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      message_id text,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX email_deliveries_open_idx ON email_deliveries (next_attempt_at) WHERE status IN ('pending', 'sending');
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE IF EXISTS email_deliveries;
    DROP TABLE IF EXISTS webhook_deliveries;
    DROP TABLE IF EXISTS webhook_endpoints;
    DROP TABLE IF EXISTS outbox_events;
  `);
}
