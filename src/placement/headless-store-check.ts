import type { Page } from 'puppeteer-core';
import { BrowserUnavailableError, type BrowserPool } from './browser-pool';
import type { PlacementOrder, StoreCheck, StoreContext } from './placement-adapter';
import type { RecipeModules } from './recipes/recipe-module';
import { createRecipeRun } from './recipes/recipe-runner';
import type { Recipe } from './recipes/recipe-schema';
import { renderTemplate, type TemplateValues } from './recipes/template';
import { buildItemValues, buildRecipeValues, listSecretValues } from './recipes/recipe-variables';
import type { HeadlessPlacementConfig } from './headless-config';

export interface HeadlessStoreCheckOptions {
  browserPool: BrowserPool;
  modules: RecipeModules;
  /** The adapter's own config validation (recipe included). */
  checkConfig(
    config: unknown,
  ): { ok: true; config: HeadlessPlacementConfig } | { ok: false; errors: Record<string, string> };
  navigationTimeoutMs: number;
  selectorTimeoutMs: number;
  viewport: { width: number; height: number };
}

type Step = Recipe['steps'][number];

/** The recipe's first `goto`, looked for in order (inside `forEachItem` too: that one is opened for the sample product). */
function firstGoto(steps: readonly Step[], inItem = false): { url: string; inItem: boolean } | undefined {
  for (const step of steps) {
    if (step.type === 'goto') return { url: step.url, inItem };
    if (step.type === 'forEachItem') {
      const found = firstGoto(step.steps as readonly Step[], true);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * An order that exists only to fill the recipe's templates: the check never runs a step that could buy (only the
 * sign-in steps and one page load), so its values are never sent anywhere but into URLs and sign-in fields.
 */
function dryOrder(context: StoreContext): PlacementOrder {
  const sample = context.sampleProduct;
  const price = sample?.priceCents ?? 0;
  return {
    orderNumber: 'MO-STORECHECK',
    storeSlug: 'store-check',
    storeName: 'store check',
    currency: 'usd',
    items: sample
      ? [
          {
            orderItemId: 'check',
            sku: sample.sku,
            name: sample.name,
            quantity: 1,
            unitPriceCents: price,
            totalPriceCents: price,
          },
        ]
      : [],
    shippingAddress: {
      name: 'Store Check',
      address1: '1 Main St',
      city: 'Austin',
      state: 'TX',
      zip: '78701',
      country: 'US',
      phone: '+15125550100',
    },
    subtotalCents: price,
    shippingCents: 0,
    taxCents: 0,
    totalCents: price,
  } as PlacementOrder;
}

/** Error text for people, with the store's secrets (password, card) masked out. */
function said(error: unknown, secrets: string[]): string {
  let message = error instanceof Error ? error.message : String(error);
  for (const secret of secrets) if (secret) message = message.split(secret).join('***');
  return message;
}

/**
 * `POST /admin/stores/:slug/check` for a headless store: validate the config, see that Chromium runs, then sign in
 * with the recipe's own sign-in steps and open the recipe's first page. It never runs the checkout steps, so
 * nothing is put in a cart or bought. Each check stops the ones after it when it fails.
 */
export async function checkHeadlessStore(
  context: StoreContext,
  options: HeadlessStoreCheckOptions,
): Promise<StoreCheck[]> {
  const checked = options.checkConfig(context.config);
  if (!checked.ok) {
    const problems = Object.entries(checked.errors).map(
      ([field, problem]) => `${field || 'placementConfig'} ${problem}`,
    );
    return [{ name: 'config', ok: false, message: problems.join('; ') }];
  }
  const config = checked.config;
  const checks: StoreCheck[] = [{ name: 'config', ok: true, message: 'placementConfig and its recipe are valid' }];

  const browser = await options.browserPool.probe();
  if (!browser.ok)
    return [...checks, { name: 'browser', ok: false, message: `Chromium is not available: ${browser.reason}` }];
  checks.push({ name: 'browser', ok: true, message: `Chromium available (${browser.version})` });

  const order = dryOrder(context);
  const values = buildRecipeValues({ ...config, order });
  const secrets = listSecretValues(values);
  const baseUrl = String(values.baseUrl);
  try {
    await options.browserPool.withPage(async (page) => {
      await page.setViewport(config.viewport ?? options.viewport);
      checks.push(await signInCheck(page, config, order, values, context, options, secrets, baseUrl));
      if (checks.at(-1)!.ok) checks.push(await firstPageCheck(page, config, order, values, context, options, secrets));
    });
  } catch (error) {
    // Only the browser itself gets here (a launch that fails, a crash): the steps' own failures are checks above.
    const message =
      error instanceof BrowserUnavailableError ? error.message : `the browser failed: ${said(error, secrets)}`;
    checks.push({ name: 'browser', ok: false, message });
  }
  return checks;
}

async function signInCheck(
  page: Page,
  config: HeadlessPlacementConfig,
  order: PlacementOrder,
  values: TemplateValues,
  context: StoreContext,
  options: HeadlessStoreCheckOptions,
  secrets: string[],
  baseUrl: string,
): Promise<StoreCheck> {
  if (!config.recipe.signIn)
    return {
      name: 'signIn',
      ok: true,
      message: `the recipe has no sign-in steps: nothing to sign in to at ${baseUrl}`,
    };
  const run = createRecipeRun({
    page,
    recipe: config.recipe,
    values,
    order,
    priceToleranceCents: 0,
    navigationTimeoutMs: config.navigationTimeoutMs ?? options.navigationTimeoutMs,
    selectorTimeoutMs: config.selectorTimeoutMs ?? options.selectorTimeoutMs,
    module: config.recipe.module ? options.modules[config.recipe.module] : undefined,
    logger: context.logger.child({ adapter: 'headless', check: 'signIn' }),
    signal: context.signal,
    saveScreenshot: async () => '',
  });
  try {
    await run.signIn();
    return { name: 'signIn', ok: true, message: `signed in to ${baseUrl} as ${config.credentials.username}` };
  } catch (error) {
    return {
      name: 'signIn',
      ok: false,
      message: `could not sign in to ${baseUrl} as ${config.credentials.username}: ${said(error, secrets)} (at ${run.currentStep}, page ${page.url()})`,
    };
  }
}

async function firstPageCheck(
  page: Page,
  config: HeadlessPlacementConfig,
  order: PlacementOrder,
  values: TemplateValues,
  context: StoreContext,
  options: HeadlessStoreCheckOptions,
  secrets: string[],
): Promise<StoreCheck> {
  const first = firstGoto(config.recipe.steps);
  if (!first)
    return {
      name: 'firstPage',
      ok: true,
      message: 'the recipe has no goto step: it starts on the page the sign-in left open',
    };
  if (first.inItem && !order.items[0]) {
    return {
      name: 'firstPage',
      ok: false,
      message: `not opened: the recipe's first page (${first.url}) is a product page and the store has no products to try it with`,
    };
  }
  const all = first.inItem ? { ...values, ...buildItemValues(order.items[0]!, 0) } : values;
  let url: string;
  try {
    url = new URL(renderTemplate(first.url, all), String(values.baseUrl)).toString();
  } catch (error) {
    return {
      name: 'firstPage',
      ok: false,
      message: `the recipe's first page ${first.url} is not a URL: ${said(error, secrets)}`,
    };
  }
  const forProduct = first.inItem ? ` (for ${context.sampleProduct!.sku})` : '';
  try {
    const response = await page.goto(url, {
      waitUntil: 'load',
      timeout: config.navigationTimeoutMs ?? options.navigationTimeoutMs,
    });
    const status = response?.status();
    if (status !== undefined && status >= 400)
      return {
        name: 'firstPage',
        ok: false,
        message: `opened ${url}${forProduct}, and the shop answered HTTP ${status}`,
      };
    return { name: 'firstPage', ok: true, message: `opened ${url}${forProduct}${status ? ` (HTTP ${status})` : ''}` };
  } catch (error) {
    return { name: 'firstPage', ok: false, message: `could not open ${url}${forProduct}: ${said(error, secrets)}` };
  }
}
