import type { Knex } from 'knex';
import { hotQuery } from '../db/hot-query';
import { prepared } from '../db/prepared';
import type { OrderItemRecord, OrderRecord, StatusHistoryRecord } from '../domain/order';
import type { OrderStatus } from '../domain/order-status';
import type { PlacementMethod } from '../domain/placement-method';
import type { StoreRecord } from '../domain/store';
import { ITEM_COLUMNS, ITEM_JSON, ORDER_COLUMNS, toItem, toOrder } from './order-rows';

/** Reads of orders: one by its number or id, a checkout's, a page for a list, the ones a sweeper looks for. */

export async function findOrderByNumber(db: Knex, orderNumber: string): Promise<OrderRecord | null> {
  const row = await prepared(
    'orders.find_by_number',
    db('orders as o')
      .join('stores as s', 's.id', 'o.store_id')
      .where('o.order_number', orderNumber)
      .first(ORDER_COLUMNS),
  );
  return row ? toOrder(row) : null;
}

export async function findOrderById(db: Knex, orderId: string): Promise<OrderRecord | null> {
  const row = await db('orders as o')
    .join('stores as s', 's.id', 'o.store_id')
    .where('o.id', orderId)
    .first(ORDER_COLUMNS);
  return row ? toOrder(row) : null;
}

/** The store settings a placement run works with (which adapter, its config, the fallback, the price tolerance). */
export type PlacementStoreSettings = Pick<
  StoreRecord,
  'placementMethod' | 'placementConfig' | 'fallbackMethod' | 'priceToleranceCents'
> & {
  /** The method ops switched the store to (an outage lever); orders not yet started go by it. */
  methodOverride: PlacementMethod | null;
};

export interface OrderForPlacement {
  order: OrderRecord;
  store: PlacementStoreSettings;
  /** In position order. */
  items: OrderItemRecord[];
}

const FIND_FOR_PLACEMENT = `SELECT ${ORDER_COLUMNS.join(', ')}, s.placement_method AS store_placement_method, s.placement_config AS store_placement_config,
          s.fallback_method AS store_fallback_method, s.price_tolerance_cents AS store_price_tolerance_cents,
          s.method_override AS store_method_override,
          COALESCE((SELECT json_agg(${ITEM_JSON} ORDER BY i."position") FROM order_items i WHERE i.order_id = o.id), '[]') AS items
   FROM orders o JOIN stores s ON s.id = o.store_id
   WHERE o.order_number = ?`;

/**
 * Everything a placement run reads, in one statement: the order, its store's placement settings and its items
 * (as one JSON array, so the row count stays one and the text fixed for any number of items).
 */
export async function findOrderForPlacement(db: Knex, orderNumber: string): Promise<OrderForPlacement | null> {
  // Every run of every order reads it first: a hot statement (hot-query.ts).
  const { rows } = await hotQuery<Record<string, any>>(db, 'orders.find_for_placement', FIND_FOR_PLACEMENT, [
    orderNumber,
  ]);
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
  const rows = await prepared(
    'order_items.list',
    db('order_items').where({ order_id: orderId }).orderBy('position').select(ITEM_COLUMNS),
  );
  return rows.map(toItem);
}

export async function listStatusHistory(db: Knex, orderId: string): Promise<StatusHistoryRecord[]> {
  const rows = await db('order_status_history').where({ order_id: orderId }).orderBy('id');
  return rows.map((row) => ({
    fromStatus: row.from_status,
    toStatus: row.to_status,
    reason: row.reason,
    createdAt: row.created_at,
  }));
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
      .orderBy([
        { column: 'newest', order: 'desc' },
        { column: 'o.checkout_session_id', order: 'desc' },
      ])
      .limit(limit)
      .offset(offset),
    filtered(db, filter).first(
      db.raw('count(*)::int AS orders'),
      db.raw('count(DISTINCT o.checkout_session_id)::int AS sessions'),
    ),
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

export async function findOrderByStoreOrderNumber(
  db: Knex,
  storeId: string,
  storeOrderNumber: string,
): Promise<OrderRecord | null> {
  const row = await db('orders as o')
    .join('stores as s', 's.id', 'o.store_id')
    .where({ 'o.store_id': storeId, 'o.store_order_number': storeOrderNumber })
    .first(ORDER_COLUMNS);
  return row ? toOrder(row) : null;
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
  return rows.map((row: { order_number: string; store_id: string }) => ({
    orderNumber: row.order_number,
    storeId: row.store_id,
  }));
}

/** Orders in a status, unchanged since before `changedBefore`, oldest first: what the sweepers look for. */
export async function listOrderRefsByStatus(
  db: Knex,
  status: OrderStatus,
  changedBefore: Date,
  limit: number,
): Promise<{ orderNumber: string; storeId: string }[]> {
  const rows = await db('orders')
    .where({ status })
    .where('updated_at', '<', changedBefore)
    .orderBy('updated_at')
    .limit(limit)
    .select('order_number', 'store_id');
  return rows.map((row) => ({ orderNumber: row.order_number, storeId: row.store_id }));
}
