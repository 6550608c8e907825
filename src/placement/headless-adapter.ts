import { z } from 'zod';
import { systemClock, type Clock } from '../domain/clock';
import type { BrowserPool } from './browser-pool';
import {
  PermanentPlacementError,
  type LookupOutcome,
  type PlacementAdapter,
  type PlacementContext,
  type PlacementOrder,
  type PlacementResult,
} from './placement-adapter';
import { saveFailureArtifacts, saveScreenshot, type ArtifactOptions } from './recipes/failure-artifacts';
import { listRecipeVariables } from './recipes/recipe-checks';
import { toPlacementFailure } from './recipes/recipe-errors';
import { builtInRecipeModules, type RecipeModules } from './recipes/recipe-modules';
import { createRecipeRun, type PlacedAtRetailer } from './recipes/recipe-runner';
import { validateRecipe, zodIssuesToErrors, type Recipe } from './recipes/recipe-schema';
import { buildRecipeValues, listSecretValues } from './recipes/recipe-variables';

export interface HeadlessAdapterOptions {
  browserPool: BrowserPool;
  /** Where failure screenshots and HTML go: `<orderNumber>-<attempt>-<timestamp>.png|.html`. */
  artifactsDir: string;
  /** Code modules recipes may name; defaults to the built-in ones. */
  modules?: RecipeModules;
  clock?: Clock;
}

const DEFAULT_NAVIGATION_TIMEOUT_MS = 30_000;
const DEFAULT_SELECTOR_TIMEOUT_MS = 5_000;

/** A store's placement_config for the headless method. The recipe is checked separately, for precise paths. */
const configSchema = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }),
  credentials: z.strictObject({ username: z.string().min(1, 'required'), password: z.string().min(1, 'required') }),
  recipe: z.unknown(),
  payment: z
    .strictObject({
      cardNumber: z.string().regex(/^\d{12,19}$/, '12 to 19 digits'),
      expiry: z.string().regex(/^(0[1-9]|1[0-2])\/\d{2}$/, 'MM/YY'),
      cvc: z.string().regex(/^\d{3,4}$/, '3 or 4 digits'),
    })
    .optional(),
  /** Per page load (a `goto`, or a click that navigates). */
  navigationTimeoutMs: z.int().min(1_000).max(120_000).optional(),
  /** How long a step waits for its selector before the page is judged not to match the recipe. */
  selectorTimeoutMs: z.int().min(100).max(60_000).optional(),
});

export type HeadlessPlacementConfig = Omit<z.infer<typeof configSchema>, 'recipe'> & { recipe: Recipe };

type ConfigCheck = { ok: true; config: HeadlessPlacementConfig } | { ok: false; errors: Record<string, string> };

function checkConfig(input: unknown, modules: RecipeModules): ConfigCheck {
  const parsed = configSchema.safeParse(input, { reportInput: true });
  const errors = parsed.success ? {} : zodIssuesToErrors(parsed.error.issues, 'config');
  const rawRecipe = (input as { recipe?: unknown } | null)?.recipe;
  if (rawRecipe === undefined) {
    errors.recipe ??= 'required';
    return { ok: false, errors };
  }
  const recipe = validateRecipe(rawRecipe, { modules });
  if (!recipe.ok) {
    for (const [key, message] of Object.entries(recipe.errors)) errors[key === 'recipe' ? key : `recipe.${key}`] = message;
  }
  if (!parsed.success || !recipe.ok) return { ok: false, errors };
  const paymentVariable = [...listRecipeVariables(recipe.recipe)].find((name) => name.startsWith('payment.'));
  if (paymentVariable && !parsed.data.payment) return { ok: false, errors: { payment: `required: the recipe uses {{${paymentVariable}}}` } };
  return { ok: true, config: { ...parsed.data, recipe: recipe.recipe } };
}

const fileStamp = (date: Date): string => date.toISOString().replace(/[-:.]/g, '');

/**
 * Places orders by driving the retailer's own storefront in headless Chromium, following the store's recipe.
 * Idempotent through the recipe's lookup: a retry first looks for our order number in the retailer's history.
 */
export function createHeadlessPlacementAdapter({
  browserPool,
  artifactsDir,
  modules = builtInRecipeModules,
  clock = systemClock,
}: HeadlessAdapterOptions): PlacementAdapter {
  async function placeOnPage(order: PlacementOrder, context: PlacementContext, config: HeadlessPlacementConfig): Promise<PlacementResult> {
    const startedAt = clock.now();
    const logger = context.logger.child({ adapter: 'headless', orderNumber: order.orderNumber, attempt: context.attempt });
    const values = buildRecipeValues({ ...config, order });
    const artifacts = (): ArtifactOptions => ({
      dir: artifactsDir,
      baseName: `${order.orderNumber}-${context.attempt}-${fileStamp(clock.now())}`,
      secrets: listSecretValues(values),
    });

    return browserPool.withPage(async (page) => {
      const run = createRecipeRun({
        page,
        recipe: config.recipe,
        values,
        order,
        priceToleranceCents: context.priceToleranceCents,
        navigationTimeoutMs: config.navigationTimeoutMs ?? DEFAULT_NAVIGATION_TIMEOUT_MS,
        selectorTimeoutMs: config.selectorTimeoutMs ?? DEFAULT_SELECTOR_TIMEOUT_MS,
        module: config.recipe.module ? modules[config.recipe.module] : undefined,
        logger,
        signal: context.signal,
        saveScreenshot: (label) => saveScreenshot(page, artifacts(), label),
      });
      const placed = (found: PlacedAtRetailer & { details?: Record<string, unknown> }, foundBy: 'recipe' | 'lookup'): PlacementResult => {
        logger.info({ storeOrderNumber: found.confirmationNumber, foundBy, retailerTotalCents: found.retailerTotalCents }, 'placed at retailer');
        return {
          kind: 'placed',
          storeOrderNumber: found.confirmationNumber,
          placedAt: clock.now(),
          retailerTotalCents: found.retailerTotalCents,
          details: {
            ...found.details,
            method: 'headless',
            foundBy,
            confirmationNumber: found.confirmationNumber,
            url: page.url(),
            durationMs: clock.now().getTime() - startedAt.getTime(),
            ...(run.screenshots.length > 0 && { screenshots: run.screenshots }),
            ...(found.extracted && { extracted: found.extracted }),
          },
        };
      };

      try {
        await run.signIn();
        if (context.attempt > 1) {
          const existing = await run.lookup();
          if (existing) return placed(existing, 'lookup');
        }
        return placed(await run.placeOrder(), 'recipe');
      } catch (error) {
        const saved = await saveFailureArtifacts(page, artifacts());
        throw toPlacementFailure(error, { step: run.currentStep, submitted: run.submitted, url: page.url(), artifacts: saved });
      }
    });
  }

  function lookupOnPage(order: PlacementOrder, context: PlacementContext, config: HeadlessPlacementConfig) {
    const logger = context.logger.child({ adapter: 'headless', orderNumber: order.orderNumber, lookup: true });
    return browserPool.withPage(async (page) => {
      const run = createRecipeRun({
        page,
        recipe: config.recipe,
        values: buildRecipeValues({ ...config, order }),
        order,
        priceToleranceCents: context.priceToleranceCents,
        navigationTimeoutMs: config.navigationTimeoutMs ?? DEFAULT_NAVIGATION_TIMEOUT_MS,
        selectorTimeoutMs: config.selectorTimeoutMs ?? DEFAULT_SELECTOR_TIMEOUT_MS,
        module: config.recipe.module ? modules[config.recipe.module] : undefined,
        logger,
        signal: context.signal,
        saveScreenshot: async () => '',
      });
      await run.signIn();
      return run.lookup();
    });
  }

  return {
    method: 'headless',

    validateConfig(config) {
      const checked = checkConfig(config, modules);
      return checked.ok ? {} : checked.errors;
    },

    async place(order, context) {
      const checked = checkConfig(context.config, modules);
      if (!checked.ok) throw new PermanentPlacementError('config_invalid', 'headless placement config is invalid', { fields: checked.errors });
      try {
        return await placeOnPage(order, context, checked.config);
      } catch (error) {
        // Launch failures and crashes outside a step land here too; none of these messages carry typed values.
        const failure = toPlacementFailure(error, {});
        context.logger.warn(
          { adapter: 'headless', orderNumber: order.orderNumber, attempt: context.attempt, err: { name: failure.name, message: failure.message }, details: failure.details },
          'headless placement failed',
        );
        throw failure;
      }
    },

    /**
     * Signs in and runs the recipe's lookup (or its module's) without buying anything: the retailer's history
     * showing our order is `placed`, the lookup finishing without it is `not_placed`. No lookup, or one that
     * fails, tells nothing: `unknown`.
     */
    async lookup(order, context): Promise<LookupOutcome> {
      const checked = checkConfig(context.config, modules);
      if (!checked.ok) return { kind: 'unknown', reason: 'headless placement config is invalid' };
      const { recipe } = checked.config;
      if (!recipe.lookup && !(recipe.module && modules[recipe.module]?.lookup)) {
        return { kind: 'unknown', reason: 'the recipe has no lookup for the retailer\'s order history' };
      }
      try {
        const found = await lookupOnPage(order, context, checked.config);
        if (!found) return { kind: 'not_placed', evidence: `the recipe's lookup did not find ${order.orderNumber} in the retailer's order history` };
        return { kind: 'placed', result: { kind: 'placed', storeOrderNumber: found.confirmationNumber, placedAt: clock.now(), retailerTotalCents: found.retailerTotalCents, details: { method: 'headless', foundBy: 'lookup' } } };
      } catch (error) {
        return { kind: 'unknown', reason: `the recipe's lookup failed: ${(error as Error).message}` };
      }
    },
  };
}
