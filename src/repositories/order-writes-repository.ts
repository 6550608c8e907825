import type { Knex } from 'knex';
import { prepared } from '../db/prepared';
import type { EventType } from '../domain/events';
import type { NewOrder, OrderChanges, OrderRecord } from '../domain/order';
import { itemsAfterMove, type OrderStatus } from '../domain/order-status';
import { ORDER_COLUMNS, ORDER_TABLE_COLUMNS, toOrder } from './order-rows';
import { insertOrderEventsSql } from './outbox-sql';
import { variantColumns } from './variant-columns';

/** What changes orders: their insert with items, the compare-and-set status move, and refunded quantities. */

/**
 * The `o` and `i` parts of a WITH clause that insert orders and their items; the history trigger records each
 * order's first status. The rows travel as two JSON arrays, so the statement's text is the same however many orders
 * and items a checkout has, and it can be prepared. `guard` (a WHERE clause over nothing but other CTEs) lets a
 * caller insert the orders only if an earlier part of its statement succeeded.
 */
export function insertOrdersCtes(
  orders: NewOrder[],
  now: Date,
  guard = '',
): { sql: string; bindings: Knex.RawBinding[] } {
  const orderRows = orders.map((order) => ({
    order_number: order.orderNumber,
    checkout_session_id: order.checkoutSessionId,
    store_id: order.storeId,
    user_id: order.userId,
    placement_method: order.placementMethod,
    currency: order.currency,
    subtotal_cents: order.subtotalCents,
    shipping_cents: order.shippingCents,
    tax_cents: order.taxCents,
    total_cents: order.totalCents,
    discount_cents: order.discountCents ?? 0,
    shipping_discount_cents: order.shippingDiscountCents ?? 0,
    full_price_total_cents: order.fullPriceTotalCents ?? null,
    shipping_option: order.shippingOption ?? null,
    promotion_code: order.promotionCode ?? null,
    shipping_address: order.shippingAddress,
  }));
  const itemRows = orders.flatMap((order) =>
    order.items.map((item, position) => ({
      order_number: order.orderNumber,
      product_id: item.productId,
      sku: item.sku,
      name: item.name,
      ...variantColumns(item),
      product_url: item.productUrl,
      image_url: item.imageUrl,
      quantity: item.quantity,
      unit_price_cents: item.unitPriceCents,
      total_price_cents: item.totalPriceCents,
      position,
    })),
  );
  const sql = `o AS (
         INSERT INTO orders (order_number, checkout_session_id, store_id, user_id, placement_method, currency, subtotal_cents,
                             shipping_cents, tax_cents, total_cents, discount_cents, shipping_discount_cents, full_price_total_cents,
                             shipping_option, promotion_code, shipping_address, status_reason, created_at, updated_at)
         SELECT x.order_number, x.checkout_session_id, x.store_id, x.user_id, x.placement_method, x.currency, x.subtotal_cents,
                x.shipping_cents, x.tax_cents, x.total_cents, x.discount_cents, x.shipping_discount_cents, x.full_price_total_cents,
                x.shipping_option, x.promotion_code, x.shipping_address, 'payment captured; awaiting placement', ?::timestamptz, ?::timestamptz
         FROM jsonb_to_recordset(?::jsonb) AS x(order_number text, checkout_session_id text, store_id uuid, user_id text,
           placement_method text, currency text, subtotal_cents integer, shipping_cents integer, tax_cents integer,
           total_cents integer, discount_cents integer, shipping_discount_cents integer, full_price_total_cents integer,
           shipping_option jsonb, promotion_code text, shipping_address jsonb)
         ${guard}
         RETURNING ${ORDER_TABLE_COLUMNS.join(', ')}
       ), i AS (
         INSERT INTO order_items (order_id, product_id, sku, name, size, color, product_url, image_url, quantity,
                                  unit_price_cents, total_price_cents, "position")
         SELECT o.id, x.product_id, x.sku, x.name, x.size, x.color, x.product_url, x.image_url, x.quantity,
                x.unit_price_cents, x.total_price_cents, x."position"
         FROM jsonb_to_recordset(?::jsonb) AS x(order_number text, product_id uuid, sku text, name text, size text, color text,
           product_url text, image_url text, quantity integer, unit_price_cents integer, total_price_cents integer, "position" integer)
         JOIN o ON o.order_number = x.order_number
       )`;
  return { sql, bindings: [now, now, JSON.stringify(orderRows), JSON.stringify(itemRows)] };
}

/** The orders `insertOrdersCtes` wrote, as `listSessionOrders` returns them (store name order). */
export const SELECT_INSERTED_ORDERS = `SELECT ${ORDER_COLUMNS.join(', ')} FROM o JOIN stores s ON s.id = o.store_id ORDER BY s.name`;

/** Writes orders and their items in one statement and returns them as `listSessionOrders` would. */
export async function insertOrders(trx: Knex.Transaction, orders: NewOrder[], now: Date): Promise<OrderRecord[]> {
  if (orders.length === 0) return [];
  const ctes = insertOrdersCtes(orders, now);
  const { rows } = await prepared(
    'orders.insert_with_items',
    trx.raw(`WITH ${ctes.sql} ${SELECT_INSERTED_ORDERS}`, ctes.bindings),
  );
  return rows.map(toOrder);
}

const OPTIONAL_ORDER_CHANGES: readonly (keyof OrderChanges)[] = [
  'storeOrderNumber',
  'retailerTotalCents',
  'placementMethod',
  'trackingNumber',
  'carrier',
  'estimatedDelivery',
  'failureReason',
  'placedAt',
];

/**
 * Compare-and-set on the status: the row changes only if it is still in `from`. The history trigger
 * records the move with `reason`; `event`, when given, goes to the outbox in the same statement. Returns the order
 * as changed (read back in the same statement), or null when it was no longer in `from`. Only the order state
 * machine calls this.
 */
export async function updateOrderStatus(
  db: Knex,
  orderId: string,
  from: OrderStatus,
  to: OrderStatus,
  reason: string,
  changes: OrderChanges,
  now: Date,
  event: EventType | null = null,
): Promise<OrderRecord | null> {
  const set = {
    status: to,
    status_reason: reason,
    updated_at: now,
    ...(changes.storeOrderNumber !== undefined ? { store_order_number: changes.storeOrderNumber } : {}),
    ...(changes.retailerTotalCents !== undefined ? { retailer_total_cents: changes.retailerTotalCents } : {}),
    ...(changes.placementMethod !== undefined ? { placement_method: changes.placementMethod } : {}),
    ...(changes.trackingNumber !== undefined ? { tracking_number: changes.trackingNumber } : {}),
    ...(changes.carrier !== undefined ? { carrier: changes.carrier } : {}),
    ...(changes.estimatedDelivery !== undefined ? { estimated_delivery: changes.estimatedDelivery } : {}),
    ...(changes.failureReason !== undefined ? { failure_reason: changes.failureReason } : {}),
    ...(changes.placedAt !== undefined ? { placed_at: changes.placedAt } : {}),
  };
  const update = db('orders').where({ id: orderId, status: from }).update(set).returning(ORDER_TABLE_COLUMNS);
  // The statement's shape is which of the eight optional columns change (a bit each, at most 256 variants) and
  // whether the items follow; in practice a handful of transitions use a handful of combinations.
  const shape = OPTIONAL_ORDER_CHANGES.reduce(
    (mask, key, bit) => (changes[key] !== undefined ? mask | (1 << bit) : mask),
    0,
  );
  const items = itemsAfterMove(to);
  let query = db.with('o', update);
  if (items) {
    // In the same statement: only if the order's own compare-and-set won.
    query = query.with(
      'i',
      db('order_items')
        .whereIn('order_id', db('o').select('id'))
        .whereIn('status', items.from)
        .update({ status: items.status }),
    );
  }
  // The event the move announces is written by the same statement, only if the compare-and-set won.
  if (event) query = query.with('e', db.raw(insertOrderEventsSql('o'), [event]));
  const row = await prepared(
    `orders.update_status.${shape}${items ? `.items_${items.status}` : ''}${event ? '.event' : ''}`,
    query.from('o').join('stores as s', 's.id', 'o.store_id').first(ORDER_COLUMNS),
  );
  return row ? toOrder(row) : null;
}

/**
 * Locks the order's row until the transaction ends, and says its status as of now: refunds of one order, and
 * the moves that depend on them, are decided one at a time.
 */
export async function lockOrder(trx: Knex.Transaction, orderId: string): Promise<OrderStatus> {
  const row = await trx('orders').where({ id: orderId }).forUpdate().first('status');
  return row.status;
}

/** Records returned quantities; an item fully returned is `refunded`, partly returned `partially_refunded`. */
export async function addRefundedQuantities(
  db: Knex,
  items: readonly { orderItemId: string; quantity: number }[],
): Promise<void> {
  for (const item of items) {
    await db('order_items')
      .where({ id: item.orderItemId })
      .update({
        refunded_quantity: db.raw('refunded_quantity + ?', [item.quantity]),
        status: db.raw(`CASE WHEN refunded_quantity + ? >= quantity THEN 'refunded' ELSE 'partially_refunded' END`, [
          item.quantity,
        ]),
      });
  }
}

/** Once refunds that went through add up to the order's total, every item of it counts as returned. */
export async function refundAllItemsOfRefundedOrder(db: Knex, orderId: string): Promise<void> {
  await db.raw(
    `UPDATE order_items SET refunded_quantity = quantity, status = 'refunded'
     WHERE order_id = ? AND refunded_quantity < quantity
       AND (SELECT total_cents FROM orders WHERE id = ?) <= (
         SELECT COALESCE(sum(amount_cents), 0) FROM payment_transactions
         WHERE order_id = ? AND type IN ('refund', 'partial_refund') AND status = 'succeeded')`,
    [orderId, orderId, orderId],
  );
}
