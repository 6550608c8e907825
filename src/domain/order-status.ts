/**
 * The order state machine as data. Every status change goes through `transitionOrder`
 * (src/services/order-state-machine.ts), which consults this table; the database backs it with a CHECK
 * constraint on the status column, and its trigger writes order_status_history.
 */
export const ORDER_STATUSES = [
  'pending',
  'placing',
  'placed',
  'confirmed',
  'shipped',
  'delivered',
  'failed',
  'cancelled',
  'refunded',
  'partially_refunded',
] as const;

export type OrderStatus = (typeof ORDER_STATUSES)[number];

const TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ['placing', 'failed', 'cancelled'],
  // placing → placing is a re-entry by another attempt (a stalled job picked up again, a fallback method).
  placing: ['placing', 'placed', 'failed', 'cancelled'],
  placed: ['confirmed', 'shipped', 'delivered', 'cancelled', 'refunded', 'partially_refunded'],
  confirmed: ['shipped', 'delivered', 'cancelled', 'refunded', 'partially_refunded'],
  // shipped → shipped: ops correct the tracking of a parcel already on its way.
  shipped: ['shipped', 'delivered', 'refunded', 'partially_refunded'],
  delivered: ['refunded', 'partially_refunded'],
  // An ops retry sends a failed order back into placement; a failed order that is refunded says so.
  failed: ['placing', 'refunded'],
  cancelled: ['refunded'],
  refunded: [],
  partially_refunded: ['confirmed', 'shipped', 'delivered', 'partially_refunded', 'refunded', 'cancelled'],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function allowedTransitions(from: OrderStatus): readonly OrderStatus[] {
  return TRANSITIONS[from];
}

export const ORDER_ITEM_STATUSES = ['pending', 'placed', 'cancelled', 'refunded', 'partially_refunded'] as const;
export type OrderItemStatus = (typeof ORDER_ITEM_STATUSES)[number];

/**
 * What an order's move does to its items (those no refund has touched): bought with it when it is placed, not
 * bought when it fails or is cancelled; placed again after an ops retry succeeds. Null: the items stay as they are.
 */
export function itemsAfterMove(to: OrderStatus): { status: OrderItemStatus; from: readonly OrderItemStatus[] } | null {
  if (to === 'placed') return { status: 'placed', from: ['pending', 'cancelled'] };
  if (to === 'failed' || to === 'cancelled') return { status: 'cancelled', from: ['pending', 'placed'] };
  return null;
}

/** Statuses that can move to `to`, in the table's order. */
function statusesThatCanMoveTo(to: OrderStatus): OrderStatus[] {
  return ORDER_STATUSES.filter((from) => TRANSITIONS[from].includes(to));
}

const except = (excluded: readonly OrderStatus[]): OrderStatus[] =>
  ORDER_STATUSES.filter((status) => !excluded.includes(status));

/** Statuses in which the retailer holds (or held) a real order with our reference. */
export const PLACED_STATUSES: readonly OrderStatus[] = ['placed', 'confirmed', 'shipped', 'delivered'];

/** Placed at the retailer and not yet delivered: the statuses a retailer's status poll can still move. */
export const AWAITING_DELIVERY_STATUSES: readonly OrderStatus[] = PLACED_STATUSES.filter(
  (status) => status !== 'delivered',
);

/** Statuses a placement run is still taking forward: the order has no outcome yet. */
export const UNSETTLED_STATUSES: readonly OrderStatus[] = ['pending', 'placing'];

/** Statuses with an outcome (placed, failed, cancelled or refunded): a checkout is settled once all its orders are. */
export const SETTLED_STATUSES: readonly OrderStatus[] = except(UNSETTLED_STATUSES);

/** Not bought, or no longer: the order's share of the payment is released or owed back to the shopper. */
export const FAILED_OR_CANCELLED_STATUSES: readonly OrderStatus[] = ['failed', 'cancelled'];

/** Bought at the retailer, and not all of it returned: the statuses in which returned items can be refunded. */
export const FULFILLED_STATUSES: readonly OrderStatus[] = [...PLACED_STATUSES, 'partially_refunded'];

/** Statuses that can move to cancelled. */
export const CANCELLABLE_STATUSES: readonly OrderStatus[] = statusesThatCanMoveTo('cancelled');

/** Statuses an admin may refund from: those that can move to refunded, and refunded itself (a refund already made). */
export const REFUNDABLE_STATUSES: readonly OrderStatus[] = [...statusesThatCanMoveTo('refunded'), 'refunded'];

export function isOrderStatus(value: string): value is OrderStatus {
  return (ORDER_STATUSES as readonly string[]).includes(value);
}
