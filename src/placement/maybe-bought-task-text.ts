import type { PlacementOrder } from './placement-adapter';

export interface MaybeBoughtContext {
  /** Why automation stopped, e.g. "the browser died right after Place Order". */
  reason: string;
  /** Where and how to look in the retailer's account, e.g. a recipe's lookup note; generic text when absent. */
  whereToLook?: string;
  /** The retailer's account the earlier attempt used (never the password). */
  account?: string;
}

/**
 * The ops task text for an order whose automated attempt may have submitted it before failing: a person must
 * look before buying, or the retailer ships it twice. Two outcomes, both spelled out. One function, so every
 * path that hands such an order to people (give-up after an unknown lookup, a recipe without a lookup) says
 * the same thing.
 */
export function maybeBoughtInstructions(order: PlacementOrder, context: MaybeBoughtContext): string {
  const account = context.account ? ` (account ${context.account})` : '';
  const where =
    context.whereToLook ??
    `Open the order history of our account${account} at ${order.storeName} and look for an order placed recently whose note or reference says ${order.orderNumber}, with these items and this address.`;
  return [
    `CAREFUL: this order MAY ALREADY HAVE BEEN BOUGHT at ${order.storeName}. An automated attempt got as far as submitting it and then failed (${context.reason}), so we cannot tell whether ${order.storeName} has it.`,
    `1. Look first. ${where}`,
    `2. Found it: do NOT buy again. Complete this task with ${order.storeName}'s order number of that order.`,
    `3. Not found: buy these items at ${order.storeName} for no more than the total shown, ship them to the address, put ${order.orderNumber} in the order note, then complete this task with the retailer's order number.`,
  ].join('\n');
}
