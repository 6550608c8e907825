import type { Knex } from 'knex';

/**
 * The checkout core: catalog, carts, frozen checkout sessions, per-store orders, the payment ledger and
 * idempotency keys. Constraints make bad states unrepresentable; order history is written by a trigger so
 * no code path can change a status without leaving a trace.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE stores (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      placement_method text NOT NULL CHECK (placement_method IN ('api', 'headless', 'manual')),
      placement_config jsonb NOT NULL DEFAULT '{}'::jsonb,
      fallback_method text CHECK (fallback_method IN ('headless', 'manual')),
      webhook_secret text,
      currency text NOT NULL DEFAULT 'usd' CHECK (currency ~ '^[a-z]{3}$'),
      shipping_flat_cents integer NOT NULL DEFAULT 0 CHECK (shipping_flat_cents >= 0),
      shipping_free_above_cents integer CHECK (shipping_free_above_cents >= 0),
      price_tolerance_cents integer NOT NULL DEFAULT 0 CHECK (price_tolerance_cents >= 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE products (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      store_id uuid NOT NULL REFERENCES stores(id),
      sku text NOT NULL CHECK (length(sku) BETWEEN 1 AND 100),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
      price_cents integer NOT NULL CHECK (price_cents >= 0),
      product_url text,
      image_url text,
      available boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (store_id, sku)
    );

    CREATE TABLE carts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE cart_items (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      cart_id uuid NOT NULL REFERENCES carts(id) ON DELETE CASCADE,
      product_id uuid NOT NULL REFERENCES products(id),
      size text NOT NULL DEFAULT '',
      color text NOT NULL DEFAULT '',
      quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 99),
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (cart_id, product_id, size, color)
    );

    CREATE TABLE checkout_sessions (
      id text PRIMARY KEY CHECK (id ~ '^cs_[A-Za-z0-9_-]+$'),
      user_id text NOT NULL,
      status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'processing', 'placed', 'completed', 'partially_failed', 'failed', 'cancelled')),
      cart_snapshot jsonb NOT NULL,
      shipping_address jsonb,
      payment_method_id text,
      currency text NOT NULL DEFAULT 'usd',
      subtotal_cents integer NOT NULL CHECK (subtotal_cents >= 0),
      shipping_cents integer NOT NULL CHECK (shipping_cents >= 0),
      tax_cents integer NOT NULL DEFAULT 0 CHECK (tax_cents >= 0),
      total_cents integer NOT NULL CHECK (total_cents = subtotal_cents + shipping_cents + tax_cents),
      payment_intent_id text,
      payment_attempt integer NOT NULL DEFAULT 0 CHECK (payment_attempt >= 0),
      place_idempotency_key text,
      -- While processing, the worker that holds the lease finishes the place; past it, recovery may.
      lease_expires_at timestamptz,
      expires_at timestamptz NOT NULL,
      placed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (status <> 'processing' OR (lease_expires_at IS NOT NULL AND payment_attempt > 0)),
      CHECK (status NOT IN ('placed', 'completed', 'partially_failed', 'failed') OR payment_intent_id IS NOT NULL)
    );
    CREATE INDEX checkout_sessions_user_idx ON checkout_sessions (user_id, created_at DESC);
    CREATE INDEX checkout_sessions_processing_idx ON checkout_sessions (lease_expires_at) WHERE status = 'processing';

    CREATE TABLE orders (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      order_number text NOT NULL UNIQUE CHECK (order_number ~ '^MO-[0-9A-Z]{10}$'),
      checkout_session_id text NOT NULL REFERENCES checkout_sessions(id),
      store_id uuid NOT NULL REFERENCES stores(id),
      user_id text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN (
        'pending', 'placing', 'placed', 'confirmed', 'shipped', 'delivered',
        'failed', 'cancelled', 'refunded', 'partially_refunded')),
      -- The reason for the latest status change; the history trigger copies it.
      status_reason text,
      placement_method text NOT NULL CHECK (placement_method IN ('api', 'headless', 'manual')),
      currency text NOT NULL DEFAULT 'usd',
      subtotal_cents integer NOT NULL CHECK (subtotal_cents >= 0),
      shipping_cents integer NOT NULL CHECK (shipping_cents >= 0),
      tax_cents integer NOT NULL CHECK (tax_cents >= 0),
      total_cents integer NOT NULL CHECK (total_cents = subtotal_cents + shipping_cents + tax_cents),
      shipping_address jsonb NOT NULL,
      store_order_number text,
      retailer_total_cents integer CHECK (retailer_total_cents >= 0),
      tracking_number text,
      carrier text,
      estimated_delivery date,
      failure_reason text,
      placed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (checkout_session_id, store_id),
      CHECK (status NOT IN ('placed', 'confirmed', 'shipped', 'delivered') OR store_order_number IS NOT NULL)
    );
    CREATE INDEX orders_user_idx ON orders (user_id, created_at DESC);
    CREATE INDEX orders_status_idx ON orders (status, updated_at);
    CREATE UNIQUE INDEX orders_store_order_number_idx ON orders (store_id, store_order_number)
      WHERE store_order_number IS NOT NULL;

    CREATE TABLE order_items (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      order_id uuid NOT NULL REFERENCES orders(id),
      product_id uuid NOT NULL REFERENCES products(id),
      sku text NOT NULL,
      name text NOT NULL,
      size text NOT NULL DEFAULT '',
      color text NOT NULL DEFAULT '',
      product_url text,
      image_url text,
      quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 99),
      unit_price_cents integer NOT NULL CHECK (unit_price_cents >= 0),
      total_price_cents integer NOT NULL CHECK (total_price_cents = unit_price_cents * quantity),
      status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'placed', 'cancelled', 'refunded', 'partially_refunded')),
      refunded_quantity integer NOT NULL DEFAULT 0 CHECK (refunded_quantity BETWEEN 0 AND quantity),
      position integer NOT NULL DEFAULT 0
    );
    CREATE INDEX order_items_order_idx ON order_items (order_id, position);

    CREATE TABLE order_status_history (
      id bigserial PRIMARY KEY,
      order_id uuid NOT NULL REFERENCES orders(id),
      from_status text,
      to_status text NOT NULL,
      reason text,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX order_status_history_order_idx ON order_status_history (order_id, id);

    CREATE FUNCTION record_order_status_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO order_status_history (order_id, from_status, to_status, reason)
        VALUES (NEW.id, NULL, NEW.status, COALESCE(NEW.status_reason, 'order created'));
      ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
        INSERT INTO order_status_history (order_id, from_status, to_status, reason)
        VALUES (NEW.id, OLD.status, NEW.status, NEW.status_reason);
      END IF;
      RETURN NEW;
    END;
    $$;
    CREATE TRIGGER orders_status_history
      AFTER INSERT OR UPDATE OF status ON orders
      FOR EACH ROW EXECUTE FUNCTION record_order_status_change();

    CREATE TABLE payment_transactions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      checkout_session_id text NOT NULL REFERENCES checkout_sessions(id),
      order_id uuid REFERENCES orders(id),
      type text NOT NULL CHECK (type IN ('charge', 'authorization', 'capture', 'void', 'refund', 'partial_refund')),
      status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
      amount_cents integer NOT NULL CHECK (amount_cents > 0),
      currency text NOT NULL DEFAULT 'usd',
      stripe_payment_intent_id text,
      stripe_refund_id text UNIQUE,
      idempotency_key text NOT NULL UNIQUE,
      failure_code text,
      reason text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (type NOT IN ('refund', 'partial_refund') OR order_id IS NOT NULL)
    );
    CREATE INDEX payment_transactions_session_idx ON payment_transactions (checkout_session_id);
    CREATE INDEX payment_transactions_order_idx ON payment_transactions (order_id) WHERE order_id IS NOT NULL;

    CREATE TABLE idempotency_keys (
      scope text NOT NULL,
      key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
      request_fingerprint text NOT NULL,
      status text NOT NULL CHECK (status IN ('in_progress', 'completed')),
      response_status integer,
      response_body jsonb,
      locked_until timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (scope, key)
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE IF EXISTS idempotency_keys, payment_transactions, order_status_history, order_items, orders,
      checkout_sessions, cart_items, carts, products, stores CASCADE;
    DROP FUNCTION IF EXISTS record_order_status_change();
  `);
}
