import type { Request, Response } from 'express';
import { z } from 'zod';
import { ORDER_STATUSES } from '../domain/order-status';
import { principalOf } from '../http/auth';
import { send } from '../http/respond';
import { parseInput } from '../http/validate';
import { pagination } from '../http/schemas/common';
import { OrderNumberParam, TrackingInput } from '../http/schemas/orders';
import type { OrdersService } from '../services/orders-service';
import { canSeeAllUsers, type Principal } from '../domain/principal';
import { presentOrderDetail, presentOrderListItem, type Audience } from './presenters';

const audienceOf = (principal: Principal): Audience => (canSeeAllUsers(principal) ? 'staff' : 'shopper');

const ListQuery = pagination.extend({ status: z.enum(ORDER_STATUSES).optional() });

export function createOrdersController(orders: OrdersService) {
  const orderNumber = (req: Request) => parseInput(OrderNumberParam, req.params, 'orderNumber').orderNumber;
  return {
    async list(req: Request, res: Response) {
      const query = parseInput(ListQuery, req.query, 'query');
      const page = await orders.listByCheckout(principalOf(req), query);
      send(res, {
        checkoutSessions: page.sessions.map((session) => ({
          checkoutSessionId: session.checkoutSessionId,
          checkoutDate: session.checkoutDate.toISOString(),
          totalCents: session.totalCents,
          orders: session.orders.map(presentOrderListItem),
        })),
        totalOrders: page.totalOrders,
        totalCheckoutSessions: page.totalCheckoutSessions,
        limit: query.limit,
        offset: query.offset,
      });
    },
    async stats(req: Request, res: Response) {
      send(res, await orders.stats(principalOf(req)));
    },
    async get(req: Request, res: Response) {
      const principal = principalOf(req);
      send(res, presentOrderDetail(await orders.getOrder(principal, orderNumber(req)), audienceOf(principal)));
    },
    async recordTracking(req: Request, res: Response) {
      const number = orderNumber(req);
      const input = parseInput(TrackingInput, req.body);
      const principal = principalOf(req);
      send(res, presentOrderDetail(await orders.recordTracking(principal, number, input), audienceOf(principal)));
    },
  };
}
