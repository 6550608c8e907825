import type { Knex } from 'knex';
import { prepared } from '../db/prepared';
import type { NewOrder, OrderChanges, OrderItemRecord, OrderRecord, StatusHistoryRecord } from '../domain/order';
import { itemsAfterMove, type OrderStatus } from '../domain/order-status';
import type { PlacementMethod } from '../domain/placement-method';
import type { StoreRecord } from '../domain/store';
import type { EventType } from '../domain/events';
import { insertOrderEventsSql } from './outbox-sql';
import { variantColumns, variantFromRow } from './variant-columns';

/** What `toOrder` reads, named rather than `o.*` so the prepared statements below keep their result type. */
const ORDER_TABLE_COLUMNS = [
  'id',
  'order_number',
  'checkout_session_id',
  'store_id',
  'user_id',
  'status',
  'placement_method',
  'currency',
  'subtotal_cents',
  'shipping_cents',
  'tax_cents',
  'total_cents',
  'discount_cents',
  'shipping_discount_cents',
  'full_price_total_cents',
  'shipping_option',
  'promotion_code',
  'shipping_address',
  'store_order_number',
  'retailer_total_cents',
  'tracking_number',
  'carrier',
  'estimated_delivery',
  'failure_reason',
  'placed_at',
  'created_at',
  'updated_at',
];
const ORDER_COLUMNS = [...ORDER_TABLE_COLUMNS.map((column) => `o.${column}`), 's.name as store_name', 's.slug as store_slug'];
const ITEM_COLUMNS = [
  'id',
  'order_id',
  'product_id',
  'sku',
  'name',
  'size',
  'color',
  'product_url',
  'image_url',
  'quantity',
  'unit_price_cents',
  'total_price_cents',
  'status',
  'refunded_quantity',
];

export const toOrder = (row: Record<string, any>): OrderRecord => ({
  id: row.id,
  orderNumber: row.order_number,
  checkoutSessionId: row.checkout_session_id,
  storeId: row.store_id,
  storeName: row.store_name,
  storeSlug: row.store_slug,
  userId: row.user_id,
  status: row.status,
  placementMethod: row.placement_method,
  currency: row.currency,
  subtotalCents: row.subtotal_cents,
  shippingCents: row.shipping_cents,
  taxCents: row.tax_cents,
  totalCents: row.total_cents,
  discountCents: row.discount_cents,
  shippingDiscountCents: row.shipping_discount_cents,
  fullPriceTotalCents: row.full_price_total_cents,
  shippingOption: row.shipping_option,
  promotionCode: row.promotion_code,
  shippingAddress: row.shipping_address,
  storeOrderNumber: row.store_order_number,
  retailerTotalCents: row.retailer_total_cents,
  trackingNumber: row.tracking_number,
  carrier: row.carrier,
  estimatedDelivery: row.estimated_delivery,
  failureReason: row.failure_reason,
  placedAt: row.placed_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toItem = (row: Record<string, any>): OrderItemRecord => ({
  id: row.id,
  orderId: row.order_id,
  productId: row.product_id,
  sku: row.sku,
  name: row.name,
  ...variantFromRow(row),
  productUrl: row.product_url,
  imageUrl: row.image_url,
  quantity: row.quantity,
  unitPriceCents: row.unit_price_cents,
  totalPriceCents: row.total_price_cents,
  status: row.status,
  refundedQuantity: row.refunded_quantity,
});

/**
 * The `o` and `i` parts of a WITH clause that insert orders and their items; the history trigger records each
 * order's first status. The rows travel as two JSON arrays, so the statement's text is the same however many orders
 * and items a checkout has, and it can be prepared. `guard` (a WHERE clause over nothing but other CTEs) lets a
 * caller insert the orders only if an earlier part of its statement succeeded.
 */
export function insertOrdersCtes(orders: NewOrder[], now: Date, guard = ''): { sql: string; bindings: Knex.RawBinding[] } {
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
  const { rows } = await prepared('orders.insert_with_items', trx.raw(`WITH ${ctes.sql} ${SELECT_INSERTED_ORDERS}`, ctes.bindings));
  return rows.map(toOrder);
}

export async function findOrderByNumber(db: Knex, orderNumber: string): Promise<OrderRecord | null> {
  const row = await prepared(
    'orders.find_by_number',
    db('orders as o').join('stores as s', 's.id', 'o.store_id').where('o.order_number', orderNumber).first(ORDER_COLUMNS),
  );
  return row ? toOrder(row) : null;
}

export async function findOrderById(db: Knex, orderId: string): Promise<OrderRecord | null> {
  const row = await db('orders as o').join('stores as s', 's.id', 'o.store_id').where('o.id', orderId).first(ORDER_COLUMNS);
  return row ? toOrder(row) : null;
}

/** The store settings a placement run works with (which adapter, its config, the fallback, the price tolerance). */
export type PlacementStoreSettings = Pick<StoreRecord, 'placementMethod' | 'placementConfig' | 'fallbackMethod' | 'priceToleranceCents'> & {
  /** The method ops switched the store to (an outage lever); orders not yet started go by it. */
  methodOverride: PlacementMethod | null;
};

export interface OrderForPlacement {
  order: OrderRecord;
  store: PlacementStoreSettings;
  /** In position order. */
  items: OrderItemRecord[];
}

const ITEM_JSON = `json_build_object(${ITEM_COLUMNS.map((column) => `'${column}', i.${column}`).join(', ')})`;

/**
 * Everything a placement run reads, in one statement: the order, its store's placement settings and its items
 * (as one JSON array, so the row count stays one and the text fixed for any number of items).
 */
export async function findOrderForPlacement(db: Knex, orderNumber: string): Promise<OrderForPlacement | null> {
  const { rows } = await prepared(
    'orders.find_for_placement',
    db.raw(
      `SELECT ${ORDER_COLUMNS.join(', ')}, s.placement_method AS store_placement_method, s.placement_config AS store_placement_config,
              s.fallback_method AS store_fallback_method, s.price_tolerance_cents AS store_price_tolerance_cents,
              s.method_override AS store_method_override,
              COALESCE((SELECT json_agg(${ITEM_JSON} ORDER BY i."position") FROM order_items i WHERE i.order_id = o.id), '[]') AS items
       FROM orders o JOIN stores s ON s.id = o.store_id
       WHERE o.order_number = ?`,
      [orderNumber],
    ),
  );
  const row = rows[0];
  if (!row) return null;
  return {
    order: toOrder(row),
    store: {
      placementMethod: row.store_placement_method,
      placementConfig: row.store_placement_config,
      fallbackMethod: row.store_fallback_method,
      priceToleranceCents: row.store_price_tolerance_cents,
      methodOverride: row.store_method_override,
    },
    items: row.items.map(toItem),
  };
}

export async function listSessionOrders(db: Knex, checkoutSessionIds: readonly string[]): Promise<OrderRecord[]> {
  if (checkoutSessionIds.length === 0) return [];
  // `= ANY(array)` rather than `IN (…)`: one statement text whatever the number of sessions, so it can be prepared.
  const rows = await prepared(
    'orders.list_by_sessions',
    db('orders as o')
      .join('stores as s', 's.id', 'o.store_id')
      .whereRaw('o.checkout_session_id = ANY(?::text[])', [[...checkoutSessionIds]])
      .orderBy([{ column: 'o.created_at' }, { column: 's.name' }])
      .select(ORDER_COLUMNS),
  );
  return rows.map(toOrder);
}

export async function listOrderItems(db: Knex, orderId: string): Promise<OrderItemRecord[]> {
  const rows = await prepared('order_items.list', db('order_items').where({ order_id: orderId }).orderBy('position').select(ITEM_COLUMNS));
  return rows.map(toItem);
}

export async function listStatusHistory(db: Knex, orderId: string): Promise<StatusHistoryRecord[]> {
  const rows = await db('order_status_history').where({ order_id: orderId }).orderBy('id');
  return rows.map((row) => ({ fromStatus: row.from_status, toStatus: row.to_status, reason: row.reason, createdAt: row.created_at }));
}

export interface OrderFilter {
  userId?: string;
  status?: OrderStatus;
  /** Orders a dispute concerns: `open` while the bank has not decided, `any` ever. */
  disputed?: 'open' | 'any';
}

const filtered = (db: Knex, filter: OrderFilter) => {
  const query = db('orders as o');
  if (filter.userId) query.where('o.user_id', filter.userId);
  if (filter.status) query.where('o.status', filter.status);
  if (filter.disputed) {
    query.whereExists(function disputedOrder() {
      this.select(db.raw('1'))
        .from('dispute_orders as dord')
        .join('disputes as d', 'd.id', 'dord.dispute_id')
        .whereRaw('dord.order_id = o.id');
      if (filter.disputed === 'open') this.whereNull('d.closed_at');
    });
  }
  return query;
};

/** One page of checkout sessions (newest first) that have orders matching the filter. */
export async function pageCheckoutSessionIds(
  db: Knex,
  filter: OrderFilter,
  limit: number,
  offset: number,
): Promise<{ ids: string[]; totalSessions: number; totalOrders: number }> {
  const [ids, counts] = await Promise.all([
    filtered(db, filter)
      .groupBy('o.checkout_session_id')
      .select('o.checkout_session_id')
      .max({ newest: 'o.created_at' })
      .orderBy([{ column: 'newest', order: 'desc' }, { column: 'o.checkout_session_id', order: 'desc' }])
      .limit(limit)
      .offset(offset),
    filtered(db, filter).first(db.raw('count(*)::int AS orders'), db.raw('count(DISTINCT o.checkout_session_id)::int AS sessions')),
  ]);
  return {
    ids: ids.map((row: any) => row.checkout_session_id),
    totalSessions: counts?.sessions ?? 0,
    totalOrders: counts?.orders ?? 0,
  };
}

export async function listOrders(db: Knex, filter: OrderFilter, limit: number, offset: number): Promise<OrderRecord[]> {
  const rows = await filtered(db, filter)
    .join('stores as s', 's.id', 'o.store_id')
    .orderBy([{ column: 'o.updated_at', order: 'desc' }, { column: 'o.id' }])
    .limit(limit)
    .offset(offset)
    .select(ORDER_COLUMNS);
  return rows.map(toOrder);
}

/** How many orders `listOrders` pages through with the same filter. */
export async function countOrders(db: Knex, filter: OrderFilter): Promise<number> {
  const row = await filtered(db, filter).first(db.raw('count(*)::int AS orders'));
  return row?.orders ?? 0;
}

export interface OrderStatsRow {
  status: OrderStatus;
  storeId: string;
  storeName: string;
  orders: number;
  totalCents: number;
}

export async function orderStats(db: Knex, filter: OrderFilter): Promise<OrderStatsRow[]> {
  const rows = await filtered(db, filter)
    .join('stores as s', 's.id', 'o.store_id')
    .groupBy('o.status', 'o.store_id', 's.name')
    .select('o.status', 'o.store_id', 's.name as store_name')
    .count({ orders: '*' })
    .sum({ total_cents: 'o.total_cents' });
  return rows.map((row: any) => ({
    status: row.status,
    storeId: row.store_id,
    storeName: row.store_name,
    orders: Number(row.orders),
    totalCents: Number(row.total_cents),
  }));
}

/**
 * Compare-and-set on the status: the row changes only if it is still in `from`. The history trigger
 * records the move with `reason`; `event`, when given, goes to the outbox in the same statement. Returns the order
 * as changed (read back in the same statement), or null when it was no longer in `from`. Only the order state
 * machine calls this.
 */
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
  const shape = OPTIONAL_ORDER_CHANGES.reduce((mask, key, bit) => (changes[key] !== undefined ? mask | (1 << bit) : mask), 0);
  const items = itemsAfterMove(to);
  let query = db.with('o', update);
  if (items) {
    // In the same statement: only if the order's own compare-and-set won.
    query = query.with(
      'i',
      db('order_items').whereIn('order_id', db('o').select('id')).whereIn('status', items.from).update({ status: items.status }),
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

export async function findOrderByStoreOrderNumber(db: Knex, storeId: string, storeOrderNumber: string): Promise<OrderRecord | null> {
  const row = await db('orders as o')
    .join('stores as s', 's.id', 'o.store_id')
    .where({ 'o.store_id': storeId, 'o.store_order_number': storeOrderNumber })
    .first(ORDER_COLUMNS);
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
export async function addRefundedQuantities(db: Knex, items: readonly { orderItemId: string; quantity: number }[]): Promise<void> {
  for (const item of items) {
    await db('order_items')
      .where({ id: item.orderItemId })
      .update({
        refunded_quantity: db.raw('refunded_quantity + ?', [item.quantity]),
        status: db.raw(`CASE WHEN refunded_quantity + ? >= quantity THEN 'refunded' ELSE 'partially_refunded' END`, [item.quantity]),
      });
  }
}

/**
 * Orders no run is taking forward: `pending` since before `pendingBefore`, or `placing` with neither a move
 * nor a placement attempt since `placingBefore` and no person working on them (no open or claimed task).
 */
export async function listStalledOrderRefs(
  db: Knex,
  cutoffs: { pendingBefore: Date; placingBefore: Date },
  limit: number,
): Promise<{ orderNumber: string; storeId: string }[]> {
  const { rows } = await db.raw(
    `SELECT o.order_number, o.store_id FROM orders o
     WHERE (o.status = 'pending' AND o.updated_at < ?)
        OR (o.status = 'placing' AND o.updated_at < ?
            AND NOT EXISTS (SELECT 1 FROM placement_attempts a WHERE a.order_id = o.id AND a.created_at >= ?)
            AND NOT EXISTS (SELECT 1 FROM ops_tasks t WHERE t.order_id = o.id AND t.status IN ('open', 'claimed')))
     ORDER BY o.updated_at
     LIMIT ?`,
    [cutoffs.pendingBefore, cutoffs.placingBefore, cutoffs.placingBefore, limit],
  );
  return rows.map((row: { order_number: string; store_id: string }) => ({ orderNumber: row.order_number, storeId: row.store_id }));
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

/** Orders in a status, unchanged since before `changedBefore`, oldest first: what the sweepers look for. */
export async function listOrderRefsByStatus(
  db: Knex,
  status: OrderStatus,
  changedBefore: Date,
  limit: number,
): Promise<{ orderNumber: string; storeId: string }[]> {
  const rows = await db('orders').where({ status }).where('updated_at', '<', changedBefore).orderBy('updated_at').limit(limit).select('order_number', 'store_id');
  return rows.map((row) => ({ orderNumber: row.order_number, storeId: row.store_id }));
}
