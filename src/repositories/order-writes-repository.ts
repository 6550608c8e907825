import type { Knex } from 'knex';
import { hotQuery } from '../db/hot-query';
import { prepared } from '../db/prepared';
import type { EventType } from '../domain/events';
import type { NewOrder, OrderChanges, OrderRecord } from '../domain/order';
import { itemsAfterMove, type OrderStatus } from '../domain/order-status';
import { ORDER_COLUMNS, ORDER_TABLE_COLUMNS, toOrder } from './order-rows';
import { insertOrderEventsSql } from './outbox-sql';
import { sqlLiterals } from './sql-literals';
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

/** The columns a move may set besides its status, each a bit of its statement's shape. */
const OPTIONAL_ORDER_COLUMNS: readonly (readonly [keyof OrderChanges, string])[] = [
  ['storeOrderNumber', 'store_order_number'],
  ['retailerTotalCents', 'retailer_total_cents'],
  ['placementMethod', 'placement_method'],
  ['trackingNumber', 'tracking_number'],
  ['carrier', 'carrier'],
  ['estimatedDelivery', 'estimated_delivery'],
  ['failureReason', 'failure_reason'],
  ['placedAt', 'placed_at'],
];

/** Each move statement's text by its name (which says its shape), built once. */
const moveStatements = new Map<string, string>();

function moveStatement(name: string, columns: readonly string[], to: OrderStatus, event: boolean): string {
  let sql = moveStatements.get(name);
  if (sql !== undefined) return sql;
  const items = itemsAfterMove(to);
  const set = ['status', 'status_reason', 'updated_at', ...columns].map((column) => `${column} = ?`).join(', ');
  sql = `WITH o AS (
      UPDATE orders SET ${set} WHERE id = ? AND status = ?
      RETURNING ${ORDER_TABLE_COLUMNS.join(', ')}
    )${
      // In the same statement: only if the order's own compare-and-set won.
      items
        ? `, i AS (
      UPDATE order_items SET status = '${items.status}'
      WHERE order_id IN (SELECT id FROM o) AND status IN (${sqlLiterals(items.from)})
    )`
        : ''
    }${event ? `, e AS (${insertOrderEventsSql('o')})` : ''}
    SELECT ${ORDER_COLUMNS.join(', ')} FROM o JOIN stores s ON s.id = o.store_id`;
  moveStatements.set(name, sql);
  return sql;
}

/**
 * Compare-and-set on the status: the row changes only if it is still in `from`. The history trigger
 * records the move with `reason`; `event`, when given, goes to the outbox in the same statement. Returns the order
 * as changed (read back in the same statement), or null when it was no longer in `from`. Only the order state
 * machine calls this.
 *
 * Every order move runs it, so it is a hot statement (hot-query.ts): fixed texts, one per shape, without the query
 * builder. The shape is which of the eight optional columns change (at most 256 variants; in practice a handful of
 * transitions use a handful), the status moved to (the items that follow it) and whether an event is written.
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
  let shape = 0;
  const columns: string[] = [];
  const values: unknown[] = [to, reason, now];
  OPTIONAL_ORDER_COLUMNS.forEach(([key, column], bit) => {
    if (changes[key] === undefined) return;
    shape |= 1 << bit;
    columns.push(column);
    values.push(changes[key]);
  });
  const items = itemsAfterMove(to);
  const name = `orders.move.${shape}${items ? `.items_${items.status}` : ''}${event ? '.event' : ''}`;
  const {
    rows: [row],
  } = await hotQuery(db, name, moveStatement(name, columns, to, event !== null), [
    ...values,
    orderId,
    from,
    ...(event ? [event] : []),
  ]);
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
