import { manualTaskPayload } from '../placement/manual-adapter';
import type { PlacementMethod, PlacementOrder } from '../placement/placement-adapter';

/** Why the service could not tell whether the retailer holds an order, and what a person should look for. */
export interface UncertainPurchase {
  /** The way out of placement that was about to be taken (retries exhausted, a refusal after a timeout …). */
  givingUp: string;
  /** Why the retailer could not be asked, or gave no definite answer. */
  lookup: string;
  /** The method whose earlier tries may have bought it. */
  method: PlacementMethod;
  /** When the first try started: an order the retailer holds was placed after this. */
  since: Date;
}

const dollars = (cents: number, currency: string) => `${(cents / 100).toFixed(2)} ${currency.toUpperCase()}`;

/** The line the order's status history carries when it goes to people this way. */
export function uncertainHistoryReason(order: PlacementOrder, why: UncertainPurchase): string {
  return (
    `MAY ALREADY HAVE BEEN BOUGHT: ${why.givingUp}; ${why.lookup}. Sent to ops to check ${order.storeName} ` +
    `for ${order.orderNumber} before buying; nothing refunded`
  );
}

/**
 * The ops task for an order an earlier try may have bought: look first, then one of two outcomes. Completing the
 * task with the retailer's order number places the order either way; failing it refunds the shopper, so the
 * instructions keep that for an order that truly cannot be bought.
 */
export function uncertainPurchasePayload(order: PlacementOrder, why: UncertainPurchase): Record<string, unknown> {
  const { name, zip } = order.shippingAddress;
  const lookFor =
    `an order placed at ${order.storeName} since ${why.since.toISOString()} with reference ${order.orderNumber} ` +
    `(in the order note or reference field), for about ${dollars(order.totalCents, order.currency)}, shipping to ${name}, ${zip}`;
  const instructions =
    `THIS ORDER MAY ALREADY HAVE BEEN BOUGHT. An earlier ${why.method} attempt may have reached ${order.storeName}, and we ` +
    `could not find out whether it did (${why.lookup}). Before buying anything, look in ${order.storeName}'s account ` +
    `order history for ${lookFor}. ` +
    `FOUND: do not buy again; complete this task with that order's number. ` +
    `NOT FOUND: buy the items below for no more than the total shown, ship them to the address, put ${order.orderNumber} ` +
    `in the order note, then complete this task with the new order number. ` +
    `Nothing has been refunded to the shopper; fail this task only if the order cannot be bought at all (the shopper is then refunded).`;
  return {
    ...manualTaskPayload(order, instructions),
    mayAlreadyBeBought: {
      givingUp: why.givingUp,
      lookup: why.lookup,
      earlierMethod: why.method,
      since: why.since.toISOString(),
      lookFor,
    },
  };
}
