/**
 * The outbox writes, as SQL parts that the statements making each change embed (a CTE over the rows they changed),
 * so the event commits with its change or not at all, with no extra round trip. The dispatcher
 * (src/services/event-dispatch-service.ts) turns `data` into what the API would show.
 */

/** An order row (`source` holds `orders` columns) with its store's name and slug, as JSON. */
const orderJson = (alias: string) =>
  `(to_jsonb(${alias}) || jsonb_build_object('store_name', ${alias}_s.name, 'store_slug', ${alias}_s.slug))`;

/** Inserts one `type` event (bound as the first `?`) per order in `source`, which returns `orders` columns. */
export const insertOrderEventsSql = (source: string) => `
  INSERT INTO outbox_events (type, checkout_session_id, order_id, data)
  SELECT ?, ev_o.checkout_session_id, ev_o.id, jsonb_build_object('order', ${orderJson('ev_o')})
  FROM ${source} ev_o JOIN stores ev_o_s ON ev_o_s.id = ev_o.store_id`;

/**
 * Inserts one `checkout.<status>` event per session in `sessions` (rows of `checkout_sessions`), with its orders:
 * those in `orders` (a CTE of the same statement) or, when null, the ones committed before the statement.
 */
export const insertCheckoutEventsSql = (sessions: string, orders: string | null, type: string) => `
  INSERT INTO outbox_events (type, checkout_session_id, data)
  SELECT ${type}, ev_cs.id,
         jsonb_build_object('session', to_jsonb(ev_cs) - 'place_idempotency_key', 'orders',
           (SELECT COALESCE(jsonb_agg(${orderJson('ev_co')} ORDER BY ev_co_s.name), '[]'::jsonb)
            FROM ${orders ?? 'orders'} ev_co JOIN stores ev_co_s ON ev_co_s.id = ev_co.store_id
            WHERE ev_co.checkout_session_id = ev_cs.id))
  FROM ${sessions} ev_cs`;

/** Inserts `refund.succeeded` / `refund.failed` for each settled refund row in `source` (payment_transactions rows). */
export const insertRefundEventsSql = (source: string) => `
  INSERT INTO outbox_events (type, checkout_session_id, order_id, data)
  SELECT 'refund.' || ev_t.status, ev_t.checkout_session_id, ev_t.order_id,
         jsonb_build_object('refund', to_jsonb(ev_t), 'order', ${orderJson('ev_ro')})
  FROM ${source} ev_t
  JOIN orders ev_ro ON ev_ro.id = ev_t.order_id JOIN stores ev_ro_s ON ev_ro_s.id = ev_ro.store_id
  WHERE ev_t.type IN ('refund', 'partial_refund') AND ev_t.status IN ('succeeded', 'failed')`;
