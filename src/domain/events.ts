import type { OrderStatus } from './order-status';

/**
 * The events the shopping app can subscribe to. Each is written to the outbox by the statement that makes the
 * change (src/repositories/outbox-sql.ts), so it exists exactly when the change does.
 */
export const EVENT_TYPES = [
  'checkout.placed',
  'checkout.completed',
  'checkout.partially_failed',
  'checkout.failed',
  'order.placed',
  'order.shipped',
  'order.delivered',
  'order.cancelled',
  'order.failed',
  'refund.succeeded',
  'refund.failed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

const ORDER_EVENTS: Partial<Record<OrderStatus, EventType>> = {
  placed: 'order.placed',
  shipped: 'order.shipped',
  delivered: 'order.delivered',
  cancelled: 'order.cancelled',
  failed: 'order.failed',
};

/** The event an order's move to `to` announces, if any (refunds announce themselves from the ledger). */
export function orderEventOf(to: OrderStatus): EventType | null {
  return ORDER_EVENTS[to] ?? null;
}
