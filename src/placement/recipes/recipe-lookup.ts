import type { Page } from 'puppeteer-core';
import { toPuppeteerSelector } from './element-selector';
import type { PageDriver } from './page-driver';
import { HeadlessTransientError } from './recipe-errors';
import type { LookupMatch } from './recipe-module';
import type { ItemStep, Recipe, RecipeStep } from './recipe-schema';
import { renderTemplate, type TemplateValues } from './template';

/** What the recipe's lookup saw. Only positive evidence of absence may answer `not_placed`. */
export type RecipeLookupOutcome =
  | { kind: 'placed'; match: LookupMatch }
  | { kind: 'not_placed'; evidence: string }
  | { kind: 'unknown'; reason: string };

/** A lookup the recipe spells out in steps (rather than declaring it has none). */
export type StepLookup = Extract<NonNullable<Recipe['lookup']>, { steps: unknown }>;

/** What the lookup needs from the run it belongs to. */
export interface StepLookupContext {
  page: Page;
  driver: PageDriver;
  values: TemplateValues;
  orderNumber: string;
  navigationTimeoutMs: number;
  runSteps(steps: readonly (RecipeStep | ItemStep)[], prefix: string): Promise<void>;
  /** What the steps have extracted so far. */
  extracted(): Record<string, string | number>;
  /** The order the extracted values name, once they name one. */
  found(): LookupMatch | undefined;
}

/** How long the network and the page must stay quiet before an absent order counts as absent. */
const LOOKUP_QUIET_MS = 750;

/** Reads the retailer's order history with the recipe's lookup steps and judges what it saw. */
export async function runStepLookup(lookup: StepLookup, context: StepLookupContext): Promise<RecipeLookupOutcome> {
  const { page, driver, values, orderNumber, runSteps, found } = context;
  await runSteps(lookup.steps, 'lookup.steps');
  const first = found();
  if (first) return { kind: 'placed', match: first };
  // A single-page app shows its empty list before the data arrives: read again once everything is quiet.
  await driver.waitForStable(LOOKUP_QUIET_MS, context.navigationTimeoutMs, { strict: true }).catch((error: Error) => {
    throw new HeadlessTransientError(`lookup: ${error.message}`, { url: page.url() });
  });
  const rereads = lookup.steps.filter((step) => step.type === 'extract' && step.optional);
  await runSteps(rereads, 'lookup.reread');
  const second = found();
  if (second) return { kind: 'placed', match: second };
  const evidence = lookup.notPlacedWhen;
  if (!evidence)
    return {
      kind: 'unknown',
      reason: 'our order was not seen, and the recipe names no sign that the history has loaded (lookup.notPlacedWhen)',
    };
  if (typeof evidence === 'string') {
    const selector = renderTemplate(evidence, values);
    if (!(await page.$(toPuppeteerSelector(selector))))
      return {
        kind: 'unknown',
        reason: `our order was not seen, and ${selector} (the sign that the history has loaded) is not on ${page.url()}`,
      };
    return {
      kind: 'not_placed',
      evidence: `${selector} shown on ${page.url()} with the network quiet, and no entry for ${orderNumber}`,
    };
  }
  const source = context.extracted()[evidence.from];
  const pattern = renderTemplate(evidence.pattern, values);
  if (source === undefined || !new RegExp(pattern).test(String(source))) {
    return {
      kind: 'unknown',
      reason: `our order was not seen, and extracted.${evidence.from} does not match /${pattern}/ (the sign of a complete answer)`,
    };
  }
  return {
    kind: 'not_placed',
    evidence: `extracted.${evidence.from} matches /${pattern}/ and holds no entry for ${orderNumber}`,
  };
}
