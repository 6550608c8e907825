import { z } from 'zod';
import { ORDER_STATUSES } from '../domain/order-status';
import type { AddOperation } from './openapi-operation';
import { pagination } from './schemas/common';
import { OrderDetail, OrderNumberParam, OrdersPage, OrderStats, TrackingInput } from './schemas/orders';

/** Orders as shoppers see theirs and ops see everyone's, and the tracking ops record. */
export function describeOrdersApi(add: AddOperation): void {
  const orders = ['Orders'];
  add('get', '/orders', {
    summary: 'Orders grouped by checkout (ops/admin see all)',
    tags: orders,
    query: pagination.extend({ status: z.enum(ORDER_STATUSES).optional() }),
    response: OrdersPage,
  });
  add('get', '/orders/stats', {
    summary: 'Order counts and money spent (ops/admin: everyone’s)',
    tags: orders,
    response: OrderStats,
  });
  add('get', '/orders/{orderNumber}', {
    summary: 'One order with items, status history and refunds',
    tags: orders,
    params: OrderNumberParam,
    response: OrderDetail,
    errors: { 404: 'not_found' },
  });
  add('put', '/orders/{orderNumber}/tracking', {
    summary: 'Record tracking (ops): the order is shipped',
    tags: orders,
    params: OrderNumberParam,
    body: TrackingInput,
    response: OrderDetail,
    errors: { 403: 'forbidden', 404: 'not_found', 409: 'invalid_transition' },
  });
}
