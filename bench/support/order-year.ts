import type { Knex } from 'knex';

/**
 * A year of orders over S stores, written set-wise in SQL (a million rows in about a minute): one paid checkout
 * per order, spread evenly over the year. Per store method: api and headless orders are mostly placed on the first
 * try, some after a retry, a few fail (refunded) and a few go to people; manual orders are all a task. Rows are
 * written oldest first, as the service appends them. The history
 * trigger is off while seeding (nothing here reads order_status_history) and back on afterwards.
 */
export async function seedYearOfOrders(db: Knex, orders: number, stores: number): Promise<void> {
  await db.raw(
    `INSERT INTO stores (slug, name, placement_method, fallback_method)
     SELECT 'store-' || i, 'Store ' || i, (ARRAY['api', 'headless', 'manual'])[1 + i % 3], CASE WHEN i % 3 = 0 THEN NULL ELSE 'manual' END
     FROM generate_series(1, ?::int) i`,
    [stores],
  );
  await db.raw(`ALTER TABLE orders DISABLE TRIGGER orders_status_history`);
  await db.raw(
    `CREATE UNLOGGED TABLE seed_orders AS
     SELECT g, s.id AS store_id, s.placement_method AS method,
            now() - ((g::float8 / ?::int) * interval '365 days') AS created_at,
            CASE WHEN s.placement_method = 'manual' THEN 'manual'
                 WHEN r < 0.85 THEN 'first' WHEN r < 0.92 THEN 'retried' WHEN r < 0.96 THEN 'failed' ELSE 'manual' END AS kind
     FROM generate_series(1, ?::int) g
     CROSS JOIN LATERAL (SELECT random() AS r) rnd
     JOIN (SELECT id, placement_method, row_number() OVER (ORDER BY slug) - 1 AS k FROM stores) s ON s.k = g % ?::int`,
    [orders, orders, stores],
  );
  await db.raw(
    `INSERT INTO checkout_sessions (id, user_id, status, cart_snapshot, subtotal_cents, shipping_cents, tax_cents, total_cents, payment_intent_id, expires_at, created_at)
     SELECT 'cs_y' || g, 'u' || (g % 5000), 'completed', '{}', 2500, 0, 0, 2500, 'pi_y' || g, created_at, created_at FROM seed_orders`,
  );
  await db.raw(
    `INSERT INTO orders (order_number, checkout_session_id, store_id, user_id, status, placement_method, subtotal_cents, shipping_cents,
                         tax_cents, total_cents, shipping_address, store_order_number, failure_reason, placed_at, created_at)
     SELECT 'MO-' || lpad(upper(to_hex(g)), 10, '0'), 'cs_y' || g, store_id, 'u' || (g % 5000),
            CASE WHEN kind = 'failed' THEN 'refunded' ELSE 'delivered' END, CASE WHEN kind = 'manual' THEN 'manual' ELSE method END,
            2500, 0, 0, 2500, '{}', CASE WHEN kind <> 'failed' THEN 'R' || g END, CASE WHEN kind = 'failed' THEN 'out_of_stock' END,
            CASE WHEN kind = 'failed' THEN NULL
                 ELSE created_at + make_interval(secs => CASE kind WHEN 'first' THEN 3 WHEN 'retried' THEN 40 ELSE 1800 END * (0.5 + random())) END,
            created_at
     FROM seed_orders ORDER BY g DESC`,
  );
  await db.raw(`ALTER TABLE orders ENABLE TRIGGER orders_status_history`);
  await db.raw(
    `INSERT INTO placement_attempts (order_id, method, attempt, outcome, error_code, message, duration_ms, created_at)
     SELECT o.id, t.method, t.attempt, t.outcome, t.error_code, t.message, 800, s.created_at
     FROM seed_orders s JOIN orders o ON o.order_number = 'MO-' || lpad(upper(to_hex(s.g)), 10, '0')
     CROSS JOIN LATERAL (VALUES
       (s.method, 1, CASE WHEN s.method = 'manual' THEN 'deferred' WHEN s.kind = 'first' THEN 'placed' WHEN s.kind = 'failed' THEN 'permanent_error' ELSE 'transient_error' END,
        CASE WHEN s.kind = 'failed' THEN 'out_of_stock' END, CASE WHEN s.kind IN ('retried', 'manual') AND s.method <> 'manual' THEN 'retailer answered 503' END),
       (CASE WHEN s.kind = 'manual' THEN 'manual' ELSE s.method END, 2, CASE WHEN s.kind = 'retried' THEN 'placed' ELSE 'deferred' END, NULL, NULL)
     ) AS t(method, attempt, outcome, error_code, message)
     WHERE t.attempt = 1 OR (s.kind IN ('retried', 'manual') AND s.method <> 'manual')
     ORDER BY s.g DESC, t.attempt`,
  );
  await db.raw(
    `INSERT INTO ops_tasks (id, order_id, kind, status, payload, store_order_number, created_at)
     SELECT 'task_y' || s.g, o.id, 'place_order', 'done', '{}', 'R' || s.g, s.created_at
     FROM seed_orders s JOIN orders o ON o.order_number = 'MO-' || lpad(upper(to_hex(s.g)), 10, '0') WHERE s.kind = 'manual'
     ORDER BY s.g DESC`,
  );
  await db.raw(
    `INSERT INTO payment_transactions (checkout_session_id, order_id, type, status, amount_cents, idempotency_key, created_at)
     SELECT 'cs_y' || s.g, o.id, 'refund', 'succeeded', 2500, o.order_number || ':refund:placement-failed:0', s.created_at
     FROM seed_orders s JOIN orders o ON o.order_number = 'MO-' || lpad(upper(to_hex(s.g)), 10, '0') WHERE s.kind = 'failed'`,
  );
  await db.raw('DROP TABLE seed_orders');
  await db.raw('VACUUM ANALYZE');
}
