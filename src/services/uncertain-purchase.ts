import { manualTaskPayload } from '../placement/manual-adapter';
import type { PlacementOrder } from '../placement/placement-adapter';
import type { PlacementMethod } from '../domain/placement-method';
import { buildRecipeValues } from '../placement/recipes/recipe-variables';
import { renderTemplate } from '../placement/recipes/template';

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
  /** The retailer account the earlier tries used (never its password), e.g. `buyer@shop.example at https://shop.example`. */
  account?: string;
  /** Where in that account to look, e.g. the order history page a headless recipe's lookup opens, and its note. */
  whereToLook?: string;
}

type Config = Record<string, unknown>;

/**
 * For a headless store: which account to sign in to and which page of it to read, taken from the store's
 * placement config (the recipe's lookup URL and note); other methods have no shop account to point at.
 */
export function retailerAccountHint(
  method: PlacementMethod,
  config: Config,
  order: PlacementOrder,
): Pick<UncertainPurchase, 'account' | 'whereToLook'> {
  if (method !== 'headless' || typeof config.baseUrl !== 'string') return {};
  const credentials = config.credentials as { username?: string; password?: string } | undefined;
  const account = credentials?.username ? `${credentials.username} at ${config.baseUrl}` : config.baseUrl;
  const lookup = (
    config.recipe as { lookup?: { steps?: { type?: string; url?: string }[]; note?: string } } | undefined
  )?.lookup;
  const template = lookup?.steps?.find((step) => step.type === 'goto')?.url;
  let page: string | undefined;
  try {
    if (template) {
      const values = buildRecipeValues({
        baseUrl: config.baseUrl,
        credentials: { username: credentials?.username ?? '', password: '' },
        order,
      });
      page = new URL(renderTemplate(template, values), config.baseUrl).toString();
    }
  } catch {
    page = undefined; // a template that needs more than the order: the generic words below still say where
  }
  const where = page ? `open ${page} (the page our automated lookup reads)` : `open the account's order history`;
  return {
    account,
    whereToLook: `sign in at ${config.baseUrl} as ${credentials?.username ?? 'our account'}, ${where}${lookup?.note ? `. The recipe notes: ${lookup.note}` : ''}`,
  };
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
 * The one wording of the "may already have been bought" ops task (every path that hands such an order to people
 * comes here, so they all say the same). The ops task for an order an earlier try may have bought: look first, then one of two outcomes. Completing the
 * task with the retailer's order number places the order either way; failing it refunds the shopper, so the
 * instructions keep that for an order that truly cannot be bought.
 */
export function uncertainPurchasePayload(order: PlacementOrder, why: UncertainPurchase): Record<string, unknown> {
  const { name, zip } = order.shippingAddress;
  const lookFor =
    `an order placed at ${order.storeName} since ${why.since.toISOString()} with reference ${order.orderNumber} ` +
    `(in the order note or reference field), for about ${dollars(order.totalCents, order.currency)}, shipping to ${name}, ${zip}`;
  const where = why.whereToLook
    ? `${why.whereToLook}; look there`
    : `look in ${order.storeName}'s account order history`;
  const instructions =
    `THIS ORDER MAY ALREADY HAVE BEEN BOUGHT. An earlier ${why.method} attempt may have reached ${order.storeName}, and we ` +
    `could not find out whether it did (${why.lookup}). Before buying anything, ${where} for ${lookFor}. ` +
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
      ...(why.account && { account: why.account }),
      ...(why.whereToLook && { whereToLook: why.whereToLook }),
    },
  };
}
