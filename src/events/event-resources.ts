import { presentOrderListItem, presentSession } from '../controllers/presenters';
import { toSession } from '../repositories/checkout-session-rows';
import { toOrder } from '../repositories/order-rows';
import type { OrderRecord } from '../domain/order';
import type { CheckoutSessionRecord } from '../domain/checkout-session';
import type { OutboxEventRecord } from '../repositories/outbox-repository';

/**
 * What an event carries: the resource as the API shows it, rendered from the rows the outbox kept (the state at
 * the moment of the change, not whatever it is when the event is sent). Pure: no storage, no clock.
 */

const date = (value: string | null | undefined): Date | null => (value ? new Date(value) : null);

/** An order row as the outbox kept it (JSON: timestamps are strings) → the repository's record. */
export function orderFromRow(row: Record<string, any>): OrderRecord {
  const order = toOrder(row);
  return {
    ...order,
    placedAt: date(row.placed_at),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

/** A session row as the outbox kept it (JSON: timestamps are strings, the place key left out) → the record. */
export function sessionFromRow(row: Record<string, any>): CheckoutSessionRecord {
  return {
    ...toSession(row),
    placeIdempotencyKey: null,
    leaseExpiresAt: date(row.lease_expires_at),
    expiresAt: new Date(row.expires_at),
    placedAt: date(row.placed_at),
    createdAt: new Date(row.created_at),
  };
}

/** An order in an event: the list view plus what a receiver needs to act on it without asking back. */
export const presentOrderResource = (order: OrderRecord) => ({
  ...presentOrderListItem(order),
  checkoutSessionId: order.checkoutSessionId,
  storeSlug: order.storeSlug,
  estimatedDelivery: order.estimatedDelivery,
  failureReason: order.failureReason,
  placedAt: order.placedAt?.toISOString() ?? null,
});

export const presentRefundResource = (refund: Record<string, any>, order: OrderRecord) => ({
  refundId: refund.stripe_refund_id as string | null,
  transactionId: refund.id as string,
  orderNumber: order.orderNumber,
  checkoutSessionId: refund.checkout_session_id as string,
  amountCents: refund.amount_cents as number,
  currency: refund.currency as string,
  status: refund.status as string,
  reason: refund.reason as string | null,
  failureCode: refund.failure_code as string | null,
  items: (refund.refund_items ?? null) as { orderItemId: string; quantity: number }[] | null,
  createdAt: new Date(refund.created_at).toISOString(),
});

/** The resource of an event, by its kind. */
export function eventResource(event: Pick<OutboxEventRecord, 'type' | 'data'>): unknown {
  const { data } = event;
  if (event.type.startsWith('checkout.')) {
    const session = sessionFromRow(data.session);
    const orders = (data.orders as Record<string, any>[]).map(orderFromRow);
    return presentSession({ session, status: session.status, orders });
  }
  if (event.type.startsWith('refund.')) return presentRefundResource(data.refund, orderFromRow(data.order));
  return presentOrderResource(orderFromRow(data.order));
}

/** The JSON body every endpoint receives for the event: `{id, type, createdAt, data}`. */
export function eventBody(event: OutboxEventRecord): string {
  return JSON.stringify({
    id: event.eventId,
    type: event.type,
    createdAt: event.createdAt.toISOString(),
    data: eventResource(event),
  });
}
