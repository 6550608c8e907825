import { spreadCents, sumCents, type Cents } from './money';

/**
 * Which orders of a checkout money moved outside the service concerns (a refund made in Stripe's Dashboard, a
 * dispute): Stripe knows only the checkout's single payment. An amount equal to what one order has left is that
 * order (the first such, in checkout order); any other amount is spread over the orders by what each has left,
 * as the service shares tax over items. Money beyond what the orders have left cannot belong to any of them.
 */
export interface OrderLeft {
  orderId: string;
  leftCents: Cents;
}

export interface Attribution {
  attribution: 'whole_order' | 'spread';
  shares: { orderId: string; cents: Cents }[];
  /** Cents no order had left to give: the ledger and the provider disagree already (reconciliation reports it). */
  unattributedCents: Cents;
}

export function attributeToOrders(amountCents: Cents, orders: readonly OrderLeft[]): Attribution {
  const whole = orders.find((order) => order.leftCents > 0 && order.leftCents === amountCents);
  if (whole)
    return {
      attribution: 'whole_order',
      shares: [{ orderId: whole.orderId, cents: amountCents }],
      unattributedCents: 0,
    };
  const lefts = orders.map((order) => Math.max(order.leftCents, 0));
  const spreadable = Math.min(amountCents, sumCents(lefts));
  const cents = spreadCents(spreadable, lefts);
  return {
    attribution: 'spread',
    shares: orders
      .map((order, index) => ({ orderId: order.orderId, cents: cents[index] }))
      .filter((share) => share.cents > 0),
    unattributedCents: amountCents - spreadable,
  };
}
