import type { Knex } from 'knex';

/**
 * Promotions and shipping choices.
 *
 * - `promotions`: the codes admins manage (fixed amount, percent of subtotal, free shipping) with their conditions.
 * - `cart_promotions`: the code a shopper applied to their cart (one per shopper); a checkout session freezes it.
 * - `promotion_redemptions`: one use of a code by one checkout. `held` from the moment a place is about to charge
 *   (so a code's last use cannot be sold twice), `redeemed` by the statement that records the payment, `released`
 *   when that checkout was never paid. A checkout holds at most one live use.
 * - `stores.shipping_options`: the store's shipping choices (null: one standard choice from the flat rule).
 * - discounts on sessions and orders: `total = subtotal + shipping + tax − discount`, where `discount` is the
 *   order's share of the code (items) plus any shipping the code waives. `full_price_total_cents` is what the
 *   retailer charges us for the order (we fund the discount); `shipping_option` the shopper's frozen choice.
 * - the ledger's `discount` rows: the money we gave, per order, beside the shopper's payment.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE promotions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      code text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{1,39}$'),
      kind text NOT NULL CHECK (kind IN ('fixed_amount', 'percent', 'free_shipping')),
      amount_cents integer CHECK (amount_cents > 0),
      percent_off integer CHECK (percent_off BETWEEN 1 AND 100),
      min_subtotal_cents integer NOT NULL DEFAULT 0 CHECK (min_subtotal_cents >= 0),
      first_order_only boolean NOT NULL DEFAULT false,
      per_customer_limit integer CHECK (per_customer_limit > 0),
      total_limit integer CHECK (total_limit > 0),
      starts_at timestamptz,
      ends_at timestamptz,
      active boolean NOT NULL DEFAULT true,
      description text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((kind = 'fixed_amount') = (amount_cents IS NOT NULL)),
      CHECK ((kind = 'percent') = (percent_off IS NOT NULL)),
      CHECK (starts_at IS NULL OR ends_at IS NULL OR ends_at > starts_at)
    );

    CREATE TABLE cart_promotions (
      user_id text PRIMARY KEY,
      promotion_id uuid NOT NULL REFERENCES promotions(id),
      applied_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE promotion_redemptions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      promotion_id uuid NOT NULL REFERENCES promotions(id),
      checkout_session_id text NOT NULL REFERENCES checkout_sessions(id),
      user_id text NOT NULL,
      status text NOT NULL CHECK (status IN ('held', 'redeemed', 'released')),
      discount_cents integer NOT NULL CHECK (discount_cents >= 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX promotion_redemptions_live_idx ON promotion_redemptions (checkout_session_id) WHERE status <> 'released';
    CREATE INDEX promotion_redemptions_promotion_idx ON promotion_redemptions (promotion_id, user_id) WHERE status <> 'released';
    CREATE INDEX promotion_redemptions_held_idx ON promotion_redemptions (created_at) WHERE status = 'held';

    ALTER TABLE stores ADD COLUMN shipping_options jsonb;

    ALTER TABLE checkout_sessions ADD COLUMN discount_cents integer NOT NULL DEFAULT 0 CHECK (discount_cents >= 0);
    ALTER TABLE orders ADD COLUMN discount_cents integer NOT NULL DEFAULT 0 CHECK (discount_cents >= 0);
    ALTER TABLE orders ADD COLUMN shipping_discount_cents integer NOT NULL DEFAULT 0
      CHECK (shipping_discount_cents BETWEEN 0 AND discount_cents);
    ALTER TABLE orders ADD COLUMN full_price_total_cents integer CHECK (full_price_total_cents >= 0);
    ALTER TABLE orders ADD COLUMN shipping_option jsonb;
    ALTER TABLE orders ADD COLUMN promotion_code text;
  `);
  // The total checks were written inline, so their names are Postgres's choice: found by what they say.
  await knex.raw(`
    DO $$
    DECLARE c record;
    BEGIN
      FOR c IN SELECT conrelid::regclass AS tbl, conname FROM pg_constraint
               WHERE conrelid IN ('checkout_sessions'::regclass, 'orders'::regclass) AND contype = 'c'
                 AND pg_get_constraintdef(oid) LIKE '%total_cents = ((subtotal_cents + shipping_cents) + tax_cents)%'
      LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', c.tbl, c.conname);
      END LOOP;
    END $$;
    ALTER TABLE checkout_sessions ADD CONSTRAINT checkout_sessions_total_check
      CHECK (total_cents = subtotal_cents + shipping_cents + tax_cents - discount_cents);
    ALTER TABLE orders ADD CONSTRAINT orders_total_check
      CHECK (total_cents = subtotal_cents + shipping_cents + tax_cents - discount_cents);
  `);
  // Other migrations extend the ledger's kinds too: 'discount' is added to whatever list is there now.
  await extendLedgerTypes(knex, (types) => [...new Set([...types, 'discount'])]);
  await knex.raw(`
    ALTER TABLE payment_transactions ADD CONSTRAINT payment_transactions_discount_order_check
      CHECK (type <> 'discount' OR order_id IS NOT NULL);
  `);
}

async function extendLedgerTypes(knex: Knex, change: (types: string[]) => string[]): Promise<void> {
  const { rows } = await knex.raw(
    `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint
     WHERE conrelid = 'payment_transactions'::regclass AND conname = 'payment_transactions_type_check'`,
  );
  const types = [...String(rows[0].def).matchAll(/'([a-z_]+)'/g)].map((match) => match[1]);
  const list = change(types)
    .map((type) => `'${type}'`)
    .join(', ');
  await knex.raw(`
    ALTER TABLE payment_transactions DROP CONSTRAINT payment_transactions_type_check;
    ALTER TABLE payment_transactions ADD CONSTRAINT payment_transactions_type_check CHECK (type IN (${list}));
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DELETE FROM payment_transactions WHERE type = 'discount';
    ALTER TABLE payment_transactions DROP CONSTRAINT payment_transactions_discount_order_check;
  `);
  await extendLedgerTypes(knex, (types) => types.filter((type) => type !== 'discount'));
  await knex.raw(`
    ALTER TABLE orders DROP CONSTRAINT orders_total_check;
    ALTER TABLE checkout_sessions DROP CONSTRAINT checkout_sessions_total_check;
    ALTER TABLE orders DROP COLUMN promotion_code, DROP COLUMN shipping_option, DROP COLUMN full_price_total_cents,
      DROP COLUMN shipping_discount_cents, DROP COLUMN discount_cents;
    ALTER TABLE checkout_sessions DROP COLUMN discount_cents;
    ALTER TABLE orders ADD CHECK (total_cents = subtotal_cents + shipping_cents + tax_cents);
    ALTER TABLE checkout_sessions ADD CHECK (total_cents = subtotal_cents + shipping_cents + tax_cents);
    ALTER TABLE stores DROP COLUMN shipping_options;
    DROP TABLE promotion_redemptions, cart_promotions, promotions;
  `);
}
