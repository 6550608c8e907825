import { PermanentPlacementError } from '../placement-adapter';
import { parseMoneyToCents } from './money-text';
import type { LookupMatch, RecipeModule, RecipeModuleSession } from './recipe-module';

export interface PagedOrderHistoryOptions {
  /** Template of the first (newest) history page. */
  historyUrl: string;
  /** Present on every history page once it has loaded, with or without orders. */
  historySelector: string;
  /** Template selecting the row of our order, e.g. `[data-order-reference="{{order.orderNumber}}"]`. */
  rowSelector: string;
  /** Inside the row: the element whose text is the retailer's order number. */
  confirmationSelector: string;
  /** Inside the row, optional: the order total. */
  totalSelector?: string;
  /** The link to the next (older) page; absent on the last page. */
  nextPageSelector: string;
  /** How many pages to read before giving up and asking a person. */
  maxPages: number;
}

/**
 * A lookup for retailers whose order history has no search: read the newest page, follow "next" until our
 * reference shows up or the history ends. A loop with an exit condition is exactly what recipe data cannot say.
 */
export function createPagedOrderHistoryModule(options: PagedOrderHistoryOptions): RecipeModule {
  return {
    description: 'Finds our order number in a paginated, newest-first order history (no search needed).',
    lookup: (session) => findInPagedHistory(session, options),
  };
}

async function findInPagedHistory(
  session: RecipeModuleSession,
  options: PagedOrderHistoryOptions,
): Promise<LookupMatch | undefined> {
  const { page } = session;
  const rowSelector = session.render(options.rowSelector);
  await session.goto(session.render(options.historyUrl));
  for (let pageNumber = 1; pageNumber <= options.maxPages; pageNumber += 1) {
    await session.waitFor(options.historySelector);
    const row = await page.$(rowSelector);
    if (row) {
      const confirmation = await row
        .$eval(options.confirmationSelector, (el) => el.textContent?.trim() ?? '')
        .catch(() => '');
      if (!confirmation) {
        throw new PermanentPlacementError(
          'flow_broken',
          `order row found but ${options.confirmationSelector} is empty or missing`,
        );
      }
      const totalText = options.totalSelector
        ? await row.$eval(options.totalSelector, (el) => el.textContent ?? '').catch(() => '')
        : '';
      return {
        confirmationNumber: confirmation,
        retailerTotalCents: parseMoneyToCents(totalText),
        details: { historyPage: pageNumber },
      };
    }
    const next = await page.$eval(options.nextPageSelector, (el) => el.getAttribute('href')).catch(() => null);
    if (!next) return undefined;
    await session.goto(new URL(next, page.url()).toString());
  }
  // A busy account could push our order further back; "not found" here would risk buying it twice.
  throw new PermanentPlacementError(
    'flow_broken',
    `order ${session.order.orderNumber} not found within ${options.maxPages} history pages; check by hand`,
  );
}
