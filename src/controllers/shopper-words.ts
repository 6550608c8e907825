import type { OrderStatus } from '../domain/order-status';

/**
 * What a shopper reads in an order's history. The recorded reasons are written for staff ("refund by admin-adam",
 * "placed by hand by ops-otto (task …)", a retailer's error text) and stay in ops and admin views; a shopper is told
 * what the move means for them, in the same words whoever or whatever made it.
 */
const SHOPPER_REASON: Record<OrderStatus, string> = {
  pending: 'Order received',
  placing: 'We are placing your order with the store',
  placed: 'The store has accepted your order',
  confirmed: 'The store has confirmed your order',
  shipped: 'Your order is on its way',
  delivered: 'Your order was delivered',
  failed: 'We could not place this order with the store; you are not charged for it',
  cancelled: 'This order was cancelled; you are not charged for it',
  partially_refunded: 'Part of this order was refunded to your card',
  refunded: 'This order was refunded to your card',
};

export const shopperReason = (toStatus: OrderStatus): string => SHOPPER_REASON[toStatus];

/** Why an order failed, for its shopper: whether it was a retailer, a person or a rule, the shopper's answer is the same. */
export const SHOPPER_FAILURE_REASON = 'The store could not take this order';
