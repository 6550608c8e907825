import type { Page } from 'puppeteer-core';
import type { Logger } from 'pino';
import { PermanentPlacementError, PriceMismatchError, type PlacementOrder } from '../placement-adapter';
import { parseMoneyToCents } from './money-text';
import { createPageDriver } from './page-driver';
import { flowBroken, HeadlessTransientError, toPlacementFailure } from './recipe-errors';
import type { LookupMatch, RecipeModule, RecipeModuleSession } from './recipe-modules';
import type { ItemStep, Recipe, RecipeStep } from './recipe-schema';
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
  signIn(): Promise<void>;
  /** The order an earlier attempt placed, if the retailer has it. */
  lookup(): Promise<LookupMatch | undefined>;
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

  const moduleSession: RecipeModuleSession = {
    page,
    order,
    logger,
    get extracted() {
      return extracted;
    },
    render: (template) => renderTemplate(template, options.values),
    goto: (url) => driver.goto(new URL(renderTemplate(url, options.values), String(options.values.baseUrl)).toString()),
    waitFor: async (selector, timeoutMs) => void (await driver.element(selector, { visible: false, timeoutMs })),
  };

  async function runSteps(steps: readonly (RecipeStep | ItemStep)[], prefix: string, values: TemplateValues): Promise<void> {
    for (const [index, step] of steps.entries()) {
      const path = `${prefix}.${index}`;
      if (step.type === 'forEachItem') {
        for (const [position, item] of order.items.entries()) {
          await runSteps(step.steps, `${path}.steps`, { ...values, ...buildItemValues(item, position) });
        }
        continue;
      }
      currentStep = path;
      logger.debug({ step: path, type: step.type, selector: 'selector' in step ? step.selector : undefined }, 'recipe step');
      try {
        signal?.throwIfAborted();
        await runStep(step, values);
      } catch (error) {
        const item = values['item.sku'] === undefined ? {} : { itemSku: values['item.sku'], itemPosition: values['item.position'] };
        throw failure(error, { step: path, stepType: step.type, ...item });
      }
    }
  }

  async function runStep(step: ItemStep, values: TemplateValues): Promise<void> {
    const render = (template: string) => renderTemplate(template, values);
    switch (step.type) {
      case 'goto':
        return driver.goto(new URL(render(step.url), String(values.baseUrl)).toString());
      case 'fill': {
        const value = render(step.value);
        if (step.skipIfEmpty && value === '') return;
        const selector = render(step.selector);
        return driver.fill(await driver.element(selector, { visible: true }), selector, value);
      }
      case 'select': {
        const value = render(step.value);
        if (step.skipIfEmpty && value === '') return;
        const selector = render(step.selector);
        const chosen = await (await driver.element(selector, { visible: true })).select(value);
        if (!chosen.includes(value)) throw flowBroken(`${selector} has no option "${value}"`, { selector });
        return;
      }
      case 'click': {
        const selector = render(step.selector);
        const button = await driver.element(selector, { visible: true });
        if (step.submitsOrder) submitted = true;
        return driver.click(button, selector, step.waitForNavigation ?? false);
      }
      case 'waitFor':
        return void (await driver.element(render(step.selector), { visible: false, timeoutMs: step.timeoutMs }));
      case 'extract':
        return extract(step, render);
      case 'guardPrice':
        return guardPrice();
      case 'failIf': {
        const selector = render(step.selector);
        const refusal = await page.$(selector);
        if (!refusal) return;
        const text = (await refusal.evaluate((el) => el.textContent ?? '')).replace(/\s+/g, ' ').trim();
        throw new PermanentPlacementError(step.code, render(step.message), { selector, retailerMessage: text.slice(0, 300) });
      }
      case 'screenshot':
        screenshots.push(await options.saveScreenshot(step.label ?? 'step'));
        return;
      case 'call': {
        const action = module?.actions?.[step.action];
        if (!action) throw new PermanentPlacementError('config_invalid', `module action "${step.action}" is not registered`);
        if (step.submitsOrder) submitted = true;
        return action(moduleSession);
      }
    }
  }

  async function extract(step: Extract<ItemStep, { type: 'extract' }>, render: (template: string) => string): Promise<void> {
    const selector = render(step.selector);
    // An optional extract reads the page as it is: absence is an answer ("no such order"), not a wait.
    const element = step.optional ? await page.$(selector) : await driver.element(selector, { visible: false });
    if (!element) return;
    const raw = await element.evaluate((el, attribute) => (attribute ? el.getAttribute(attribute) : el.textContent), step.attribute ?? null);
    if (raw === null) throw flowBroken(`${selector} has no ${step.attribute} attribute`, { selector });
    let text = raw.replace(/\s+/g, ' ').trim();
    if (step.pattern) {
      const match = new RegExp(step.pattern).exec(text);
      if (!match) throw flowBroken(`${selector} text "${text.slice(0, 80)}" does not match /${step.pattern}/`, { selector });
      text = match[1] ?? match[0];
    }
    if (step.as !== 'retailerTotalCents') {
      extracted[step.as] = text;
      return;
    }
    const cents = parseMoneyToCents(text);
    if (cents === undefined) throw flowBroken(`${selector} text "${text.slice(0, 80)}" is not an amount`, { selector });
    extracted[step.as] = cents;
  }

  function guardPrice(): void {
    const retailerTotalCents = extracted.retailerTotalCents;
    if (typeof retailerTotalCents !== 'number') throw flowBroken('guardPrice ran before a retailer total was extracted');
    const limit = order.totalCents + options.priceToleranceCents;
    logger.info({ retailerTotalCents, expectedTotalCents: order.totalCents, priceToleranceCents: options.priceToleranceCents }, 'price guard');
    if (retailerTotalCents > limit) {
      throw new PriceMismatchError(retailerTotalCents, order.totalCents, { priceToleranceCents: options.priceToleranceCents });
    }
  }

  /**
   * Once the order is submitted, a page we cannot read is not a refusal: the retailer may well have the order.
   * Such failures are transient, so the retry's lookup finds out instead of a person refunding a shipped order.
   */
  function failure(error: unknown, details: Record<string, unknown>) {
    const placementFailure = toPlacementFailure(error, { ...details, submitted });
    if (!submitted || !(placementFailure instanceof PermanentPlacementError) || placementFailure.code !== 'flow_broken') return placementFailure;
    return new HeadlessTransientError(`${placementFailure.message} (after submitting the order: the retry's lookup will tell whether it exists)`, placementFailure.details, undefined, placementFailure);
  }

  const retailerTotal = () => (typeof extracted.retailerTotalCents === 'number' ? extracted.retailerTotalCents : undefined);

  return {
    get currentStep() {
      return currentStep;
    },
    get submitted() {
      return submitted;
    },
    screenshots,

    async signIn() {
      if (recipe.signIn) await runSteps(recipe.signIn.steps, 'signIn.steps', options.values);
    },

    async lookup() {
      extracted = {};
      try {
        if (recipe.lookup) {
          await runSteps(recipe.lookup.steps, 'lookup.steps', options.values);
          const confirmationNumber = extracted.confirmationNumber;
          return typeof confirmationNumber === 'string' && confirmationNumber ? { confirmationNumber, retailerTotalCents: retailerTotal() } : undefined;
        }
        if (!module?.lookup) return undefined;
        currentStep = 'module.lookup';
        return await module.lookup(moduleSession).catch((error) => {
          throw failure(error, { step: 'module.lookup' });
        });
      } finally {
        extracted = {};
      }
    },

    async placeOrder() {
      await runSteps(recipe.steps, 'steps', options.values);
      const confirmationNumber = extracted.confirmationNumber;
      if (typeof confirmationNumber !== 'string' || !confirmationNumber) {
        throw failure(flowBroken('no confirmation number was read'), { step: currentStep });
      }
      const { confirmationNumber: _confirmation, retailerTotalCents: _total, ...others } = extracted;
      return { confirmationNumber, retailerTotalCents: retailerTotal(), ...(Object.keys(others).length > 0 && { extracted: others }) };
    },
  };
}
