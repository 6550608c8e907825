import { DomainError } from '../domain/errors';
import type { OrderStatus } from '../domain/order-status';
import { canSeeAllUsers, type Principal } from '../domain/principal';
import { findSessionsByIds } from '../repositories/checkout-sessions-repository';
import * as orders from '../repositories/orders-repository';
import type { OrderItemRecord, OrderRecord, StatusHistoryRecord } from '../domain/order';
import { netSpentCents, refundedCentsByOrder } from '../repositories/payment-transactions-repository';
import { listDisputesOfOrders } from '../repositories/disputes-repository';
import type { OrderDispute } from '../domain/dispute';
import { transitionOrder } from './order-state-machine';
import type { ServiceDeps } from './service-deps';

export interface OrderDetail {
  order: OrderRecord;
  items: OrderItemRecord[];
  history: StatusHistoryRecord[];
  refundedCents: number;
  /** For ops and admins: the disputes that concern the order. */
  disputes?: OrderDispute[];
}

export interface SessionOrders {
  checkoutSessionId: string;
  checkoutDate: Date;
  totalCents: number;
  orders: OrderRecord[];
}

/** Reading orders (shoppers see their own; ops and admin everyone's) and the fulfilment updates ops make. */
export function createOrdersService(deps: ServiceDeps) {
  const { db } = deps;
  const scope = (principal: Principal) => (canSeeAllUsers(principal) ? undefined : principal.userId);

  async function loadVisibleOrder(principal: Principal, orderNumber: string): Promise<OrderRecord> {
    const order = await orders.findOrderByNumber(db, orderNumber);
    if (!order || (!canSeeAllUsers(principal) && order.userId !== principal.userId)) {
      throw new DomainError('not_found', 'Order not found');
    }
    return order;
  }

  async function detail(order: OrderRecord): Promise<OrderDetail> {
    const [items, history, refunded] = await Promise.all([
      orders.listOrderItems(db, order.id),
      orders.listStatusHistory(db, order.id),
      refundedCentsByOrder(db, [order.id]),
    ]);
    return { order, items, history, refundedCents: refunded.get(order.id) ?? 0 };
  }

  return {
    async listByCheckout(
      principal: Principal,
      query: { limit: number; offset: number; status?: OrderStatus },
    ): Promise<{ sessions: SessionOrders[]; totalOrders: number; totalCheckoutSessions: number }> {
      const filter = { userId: scope(principal), status: query.status };
      const page = await orders.pageCheckoutSessionIds(db, filter, query.limit, query.offset);
      const [sessionRows, orderRows] = await Promise.all([
        findSessionsByIds(db, page.ids),
        orders.listSessionOrders(db, page.ids),
      ]);
      const sessionsById = new Map(sessionRows.map((session) => [session.id, session]));
      return {
        sessions: page.ids.map((id) => ({
          checkoutSessionId: id,
          checkoutDate: sessionsById.get(id)!.placedAt ?? sessionsById.get(id)!.createdAt,
          totalCents: sessionsById.get(id)!.totalCents,
          orders: orderRows.filter(
            (order) => order.checkoutSessionId === id && (!query.status || order.status === query.status),
          ),
        })),
        totalOrders: page.totalOrders,
        totalCheckoutSessions: page.totalSessions,
      };
    },

    async stats(principal: Principal) {
      const userId = scope(principal);
      const [rows, spent] = await Promise.all([orders.orderStats(db, { userId }), netSpentCents(db, userId)]);
      const byStatus: Partial<Record<OrderStatus, number>> = {};
      const stores = new Map<string, { storeId: string; storeName: string; orders: number; totalCents: number }>();
      for (const row of rows) {
        byStatus[row.status] = (byStatus[row.status] ?? 0) + row.orders;
        const store = stores.get(row.storeId) ?? {
          storeId: row.storeId,
          storeName: row.storeName,
          orders: 0,
          totalCents: 0,
        };
        store.orders += row.orders;
        store.totalCents += row.totalCents;
        stores.set(row.storeId, store);
      }
      return {
        totalOrders: rows.reduce((sum, row) => sum + row.orders, 0),
        totalSpentCents: spent,
        byStatus,
        stores: [...stores.values()].sort((a, b) => b.orders - a.orders || a.storeName.localeCompare(b.storeName)),
      };
    },

    async getOrder(principal: Principal, orderNumber: string): Promise<OrderDetail> {
      const order = await loadVisibleOrder(principal, orderNumber);
      const [view, disputes] = await Promise.all([
        detail(order),
        canSeeAllUsers(principal) ? listDisputesOfOrders(db, [order.id]) : null,
      ]);
      return disputes ? { ...view, disputes: disputes.get(order.id) ?? [] } : view;
    },

    /** Ops record the carrier's tracking: the order is shipped. */
    async recordTracking(
      principal: Principal,
      orderNumber: string,
      tracking: { trackingNumber: string; carrier: string; estimatedDelivery?: string },
    ): Promise<OrderDetail> {
      const order = await loadVisibleOrder(principal, orderNumber);
      const estimatedDelivery = tracking.estimatedDelivery ?? null;
      const unchanged =
        order.status === 'shipped' &&
        order.trackingNumber === tracking.trackingNumber &&
        order.carrier === tracking.carrier &&
        order.estimatedDelivery === estimatedDelivery;
      // PUT is idempotent: the same tracking again changes nothing; different tracking on a shipped order corrects it.
      if (unchanged) return detail(order);
      const verb = order.status === 'shipped' ? 'corrected' : 'recorded';
      const shipped = await transitionOrder(
        deps,
        order,
        'shipped',
        `tracking ${tracking.carrier} ${tracking.trackingNumber} ${verb} by ${principal.userId}`,
        {
          trackingNumber: tracking.trackingNumber,
          carrier: tracking.carrier,
          estimatedDelivery,
        },
      );
      return detail(shipped);
    },
  };
}

export type OrdersService = ReturnType<typeof createOrdersService>;
