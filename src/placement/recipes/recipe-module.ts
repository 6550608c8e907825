import type { Page } from 'puppeteer-core';
import type { Logger } from 'pino';
import type { PlacementOrder } from '../placement-adapter';

/**
 * Code for the parts of a retailer's flow that recipe data cannot express (loops, branching, arithmetic).
 * A recipe names one module (`"module": "…"`); the adapter is built with a registry of them, keyed by name,
 * so adding a module is a deploy but choosing it for a store is not.
 */
export interface RecipeModule {
  /** One line for ops: what the module does and which retailer markup it expects. */
  readonly description: string;
  /** Finds an order an earlier attempt placed, instead of the recipe's `lookup` steps. */
  lookup?(session: RecipeModuleSession): Promise<LookupMatch | undefined>;
  /** Named actions a recipe runs with `{ "type": "call", "action": "…" }`. */
  readonly actions?: Readonly<Record<string, (session: RecipeModuleSession) => Promise<void>>>;
}

export type RecipeModules = Readonly<Record<string, RecipeModule>>;

export interface LookupMatch {
  confirmationNumber: string;
  retailerTotalCents?: number;
  details?: Record<string, unknown>;
}

/** What the runner lends a module: the page plus its own navigation and waiting, with the same error rules. */
export interface RecipeModuleSession {
  readonly page: Page;
  readonly order: PlacementOrder;
  readonly logger: Logger;
  /** Values the recipe extracted so far (`confirmationNumber`, `retailerTotalCents`, custom names). */
  readonly extracted: Readonly<Record<string, string | number>>;
  /** Renders a `{{…}}` template with the recipe's variables. */
  render(template: string): string;
  /** Like a `goto` step: relative URLs resolve against baseUrl; 5xx and timeouts are transient. */
  goto(url: string): Promise<void>;
  /** Like a `waitFor` step: a selector that never shows up on a loaded page is `flow_broken`. */
  waitFor(selector: string, timeoutMs?: number): Promise<void>;
}
