import type { Page } from 'puppeteer-core';
import type { Logger } from 'pino';
import { PermanentPlacementError, PriceMismatchError, type PlacementOrder } from '../placement-adapter';
import { toPuppeteerSelector } from './element-selector';
import { createPageDriver, type ClickRecord } from './page-driver';
import { EXTRACTED_PREFIX } from './recipe-checks';
import { flowBroken, HeadlessTransientError, toPlacementFailure } from './recipe-errors';
import type { LookupMatch, RecipeModule, RecipeModuleSession } from './recipe-module';
import type { ItemStep, Recipe, RecipeStep } from './recipe-schema';
import { runStepLookup, type RecipeLookupOutcome } from './recipe-lookup';
import { runSimpleStep } from './recipe-steps';
import { buildItemValues } from './recipe-variables';
import { renderTemplate, type TemplateValues } from './template';

export interface RecipeRunOptions {
  page: Page;
  recipe: Recipe;
  /** `buildRecipeValues(...)`: every recipe-scoped template variable. */
  values: TemplateValues;
  order: PlacementOrder;
  priceToleranceCents: number;
  navigationTimeoutMs: number;
  selectorTimeoutMs: number;
  module?: RecipeModule;
  logger: Logger;
  signal?: AbortSignal;
  /** Saves a screenshot for a `screenshot` step; returns its path. */
  saveScreenshot(label: string): Promise<string>;
  /** True when the cookies of an earlier run were put back: `signIn.reuseSession` may skip the sign-in. */
  restoredSession?: boolean;
  /** Saves the failure evidence (screenshot, HTML) of the page as it is; called before `onAbort` changes it. */
  captureFailure?(): Promise<unknown>;
}

export interface PlacedAtRetailer {
  confirmationNumber: string;
  retailerTotalCents?: number;
  /** Other values the recipe extracted under names of its own. */
  extracted?: Record<string, string | number>;
}

export interface RecipeRun {
  /** The step running now, or the one that failed: `steps.3.steps.1`. */
  readonly currentStep: string | undefined;
  /** True once the order-submitting step has started: from then on the retailer may have the order. */
  readonly submitted: boolean;
  readonly screenshots: readonly string[];
  /** The last click: what it aimed at and what it hit. */
  readonly lastClick: ClickRecord | undefined;
  signIn(): Promise<void>;
  /** Whether the retailer holds the order an earlier attempt may have placed. */
  lookup(): Promise<RecipeLookupOutcome>;
  /** Runs `steps`; a failure before the submit runs `onAbort` (best effort) before it is thrown. */
  placeOrder(): Promise<PlacedAtRetailer>;
}

/**
 * Executes a recipe's sections on one page. Every failure leaves as a `PermanentPlacementError` or a
 * `HeadlessTransientError` whose details name the step; values typed into the page are never logged.
 */
export function createRecipeRun(options: RecipeRunOptions): RecipeRun {
  const { page, recipe, order, logger, signal, module } = options;
  const driver = createPageDriver(page, options);
  const screenshots: string[] = [];
  let extracted: Record<string, string | number> = {};
  let currentStep: string | undefined;
  let submitted = false;

  /** Recipe values plus what was extracted so far, as `extracted.<as>`. */
  const withExtracted = (values: TemplateValues): TemplateValues => {
    const added: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(extracted)) added[`${EXTRACTED_PREFIX}${name}`] = value;
    return { ...values, ...added };
  };

  const moduleSession: RecipeModuleSession = {
    page,
    order,
    logger,
    get extracted() {
      return extracted;
    },
    render: (template) => renderTemplate(template, withExtracted(options.values)),
    goto: (url) => driver.goto(new URL(renderTemplate(url, options.values), String(options.values.baseUrl)).toString()),
    waitFor: async (selector, timeoutMs) => void (await driver.element(selector, { visible: false, timeoutMs })),
  };

  async function runSteps(
    steps: readonly (RecipeStep | ItemStep)[],
    prefix: string,
    values: TemplateValues,
  ): Promise<void> {
    for (const [index, step] of steps.entries()) {
      const path = `${prefix}.${index}`;
      if (step.type === 'forEachItem') {
        for (const [position, item] of order.items.entries()) {
          await runSteps(step.steps, `${path}.steps`, { ...values, ...buildItemValues(item, position) });
        }
        continue;
      }
      if (step.type === 'repeat') {
        currentStep = path;
        const times = Number(renderTemplate(step.times, withExtracted(values)));
        const max = step.max ?? 20;
        if (!Number.isInteger(times) || times < 0)
          throw failure(
            new PermanentPlacementError('config_invalid', `repeat "times" rendered to "${times}", not a count`),
            { step: path },
          );
        if (times > max)
          throw failure(
            new PermanentPlacementError('rejected', `needs ${times} repeats, more than this recipe's limit of ${max}`),
            { step: path },
          );
        for (let round = 1; round <= times; round += 1) {
          await runSteps(step.steps, `${path}.steps`, { ...values, 'repeat.index': round, 'repeat.count': times });
        }
        continue;
      }
      currentStep = path;
      logger.debug(
        { step: path, type: step.type, selector: 'selector' in step ? step.selector : undefined },
        'recipe step',
      );
      try {
        signal?.throwIfAborted();
        await runSimpleStep(step, {
          page,
          driver,
          values: withExtracted(values),
          extracted,
          markSubmitted: () => void (submitted = true),
          guardPrice,
          screenshot: async (label) => void screenshots.push(await options.saveScreenshot(label)),
          call: async (action) => {
            const run = module?.actions?.[action];
            if (!run)
              throw new PermanentPlacementError('config_invalid', `module action "${action}" is not registered`);
            await run(moduleSession);
          },
        });
      } catch (error) {
        const item =
          values['item.sku'] === undefined
            ? {}
            : { itemSku: values['item.sku'], itemPosition: values['item.position'] };
        throw failure(error, {
          step: path,
          stepType: step.type,
          ...item,
          ...(driver.lastClick && { lastClick: driver.lastClick }),
        });
      }
    }
  }

  function guardPrice(): void {
    const retailerTotalCents = extracted.retailerTotalCents;
    if (typeof retailerTotalCents !== 'number')
      throw flowBroken('guardPrice ran before a retailer total was extracted');
    const limit = order.totalCents + options.priceToleranceCents;
    logger.info(
      { retailerTotalCents, expectedTotalCents: order.totalCents, priceToleranceCents: options.priceToleranceCents },
      'price guard',
    );
    if (retailerTotalCents > limit) {
      throw new PriceMismatchError(retailerTotalCents, order.totalCents, {
        priceToleranceCents: options.priceToleranceCents,
      });
    }
  }

  /**
   * Once the order is submitted, a page we cannot read is not a refusal: the retailer may well have the order.
   * Such failures are transient, so the retry's lookup finds out instead of a person refunding a shipped order.
   */
  function failure(error: unknown, details: Record<string, unknown>) {
    const placementFailure = toPlacementFailure(error, { ...details, submitted });
    if (!submitted || !(placementFailure instanceof PermanentPlacementError) || placementFailure.code !== 'flow_broken')
      return placementFailure;
    return new HeadlessTransientError(
      `${placementFailure.message} (after submitting the order: the retry's lookup will tell whether it exists)`,
      placementFailure.details,
      undefined,
      placementFailure,
    );
  }

  const retailerTotal = () =>
    typeof extracted.retailerTotalCents === 'number' ? extracted.retailerTotalCents : undefined;
  const found = (): LookupMatch | undefined => {
    const confirmationNumber = extracted.confirmationNumber;
    return typeof confirmationNumber === 'string' && confirmationNumber
      ? { confirmationNumber, retailerTotalCents: retailerTotal() }
      : undefined;
  };

  return {
    get currentStep() {
      return currentStep;
    },
    get submitted() {
      return submitted;
    },
    screenshots,
    get lastClick() {
      return driver.lastClick;
    },

    async signIn() {
      if (!recipe.signIn) return;
      const reuse = recipe.signIn.reuseSession;
      if (reuse && options.restoredSession) {
        currentStep = 'signIn.reuseSession';
        await driver.goto(
          new URL(renderTemplate(reuse.url, options.values), String(options.values.baseUrl)).toString(),
        );
        await driver.waitForStable(300).catch(() => undefined);
        if (await page.$(toPuppeteerSelector(renderTemplate(reuse.signedInWhen, options.values)))) return;
        logger.info('the saved session is no longer signed in; signing in again');
      }
      await runSteps(recipe.signIn.steps, 'signIn.steps', options.values);
    },

    async lookup() {
      extracted = {};
      try {
        if (recipe.lookup && 'none' in recipe.lookup)
          return { kind: 'unknown', reason: `the recipe declares no reliable lookup: ${recipe.lookup.reason}` };
        if (recipe.lookup)
          return await runStepLookup(recipe.lookup, {
            page,
            driver,
            values: options.values,
            orderNumber: order.orderNumber,
            navigationTimeoutMs: options.navigationTimeoutMs,
            runSteps: (steps, prefix) => runSteps(steps, prefix, options.values),
            extracted: () => extracted,
            found,
          });
        if (!module?.lookup) return { kind: 'unknown', reason: 'the recipe has no lookup' };
        currentStep = 'module.lookup';
        const match = await module.lookup(moduleSession).catch((error) => {
          throw failure(error, { step: 'module.lookup' });
        });
        // A module reads the whole history itself (or throws): no match is its positive answer.
        return match
          ? { kind: 'placed', match }
          : { kind: 'not_placed', evidence: `module "${recipe.module}" read the order history to its end` };
      } finally {
        extracted = {};
      }
    },

    async placeOrder() {
      try {
        await runSteps(recipe.steps, 'steps', options.values);
      } catch (error) {
        if (!submitted && recipe.onAbort) {
          const artifacts = await options.captureFailure?.();
          if (
            artifacts &&
            error instanceof Error &&
            'details' in error &&
            typeof error.details === 'object' &&
            error.details
          ) {
            Object.assign(error.details, { artifacts });
          }
          const step = currentStep;
          await runSteps(recipe.onAbort.steps, 'onAbort.steps', options.values).catch((cleanup: Error) =>
            logger.warn(
              { err: { message: cleanup.message }, step: currentStep },
              'onAbort steps failed; the retailer cart may hold leftovers',
            ),
          );
          currentStep = step;
        }
        throw error;
      }
      const confirmationNumber = extracted.confirmationNumber;
      if (typeof confirmationNumber !== 'string' || !confirmationNumber) {
        throw failure(flowBroken('no confirmation number was read'), { step: currentStep });
      }
      const { confirmationNumber: _confirmation, retailerTotalCents: _total, ...others } = extracted;
      return {
        confirmationNumber,
        retailerTotalCents: retailerTotal(),
        ...(Object.keys(others).length > 0 && { extracted: others }),
      };
    },
  };
}
