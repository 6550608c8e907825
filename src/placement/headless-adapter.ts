import type { Cookie, Page } from 'puppeteer-core';
import { systemClock, type Clock } from '../domain/clock';
import { BrowserUnavailableError, type BrowserPool } from './browser-pool';
import { createKeyedLimiter } from './keyed-limiter';
import {
  PermanentPlacementError,
  type LookupOutcome,
  type PlacementAdapter,
  type PlacementContext,
  type PlacementOrder,
  type PlacementResult,
} from './placement-adapter';
import { checkHeadlessConfig, type HeadlessPlacementConfig } from './headless-config';
import { checkHeadlessStore } from './headless-store-check';
import { saveFailureArtifacts, saveScreenshot, type ArtifactOptions } from './recipes/failure-artifacts';
import { HeadlessTransientError, toPlacementFailure } from './recipes/recipe-errors';
import type { LookupMatch, RecipeModules } from './recipes/recipe-module';
import { builtInRecipeModules } from './recipes/recipe-modules';
import { createRecipeRun, type RecipeRun } from './recipes/recipe-runner';
import { buildRecipeValues, listSecretValues } from './recipes/recipe-variables';

export interface HeadlessAdapterOptions {
  browserPool: BrowserPool;
  /** Where failure screenshots and HTML go: `<orderNumber>-<attempt>-<timestamp>.png|.html`. */
  artifactsDir: string;
  /** Code modules recipes may name; defaults to the built-in ones. */
  modules?: RecipeModules;
  clock?: Clock;
  /** Signed-in cookies per store account, for recipes with `signIn.reuseSession`; one per adapter by default. */
  sessions?: SessionStore;
}

/** Cookies of a store account's last browser session (in memory: a new process signs in once). */
export type SessionStore = Map<string, Cookie[]>;

const DEFAULT_NAVIGATION_TIMEOUT_MS = 30_000;
const DEFAULT_SELECTOR_TIMEOUT_MS = 5_000;
/** A common desktop window: shops lay out (and hide) elements by width. */
export const DEFAULT_VIEWPORT = { width: 1440, height: 900 } as const;

const fileStamp = (date: Date): string => date.toISOString().replace(/[-:.]/g, '');

interface Session {
  page: Page;
  run: RecipeRun;
  artifacts(): ArtifactOptions;
}

/**
 * Places orders by driving the retailer's own storefront in headless Chromium, following the store's recipe.
 * Idempotent through the recipe's lookup: a retry first looks for our order number in the retailer's history,
 * and buys again only when the lookup positively saw that the order is not there.
 */
export function createHeadlessPlacementAdapter({
  browserPool,
  artifactsDir,
  modules = builtInRecipeModules,
  clock = systemClock,
  sessions = new Map(),
}: HeadlessAdapterOptions): PlacementAdapter {
  const perStore = createKeyedLimiter();

  /** Opens a page sized for the store, with a recipe run on it, under the store's concurrency limit. */
  function withSession<T>(
    order: PlacementOrder,
    context: PlacementContext,
    config: HeadlessPlacementConfig,
    fn: (session: Session) => Promise<T>,
  ): Promise<T> {
    const logger = context.logger.child({
      adapter: 'headless',
      orderNumber: order.orderNumber,
      attempt: context.attempt,
    });
    const values = buildRecipeValues({ ...config, order });
    const artifacts = (): ArtifactOptions => ({
      dir: artifactsDir,
      baseName: `${order.orderNumber}-${context.attempt}-${fileStamp(clock.now())}`,
      secrets: listSecretValues(values),
    });
    return perStore.run(order.storeSlug, config.concurrency ?? Number.POSITIVE_INFINITY, () =>
      browserPool.withPage(async (page) => {
        await page.setViewport(config.viewport ?? DEFAULT_VIEWPORT);
        const sessionKey = `${order.storeSlug} ${config.baseUrl} ${config.credentials.username}`;
        const saved = config.recipe.signIn?.reuseSession ? sessions.get(sessionKey) : undefined;
        if (saved?.length) await page.browserContext().setCookie(...saved);
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
          captureFailure: () => saveFailureArtifacts(page, artifacts()),
          restoredSession: !!saved?.length,
        });
        const keepSession = async () => {
          if (!config.recipe.signIn?.reuseSession) return;
          const cookies = await page
            .browserContext()
            .cookies()
            .catch(() => undefined);
          if (cookies?.length) sessions.set(sessionKey, cookies);
        };
        try {
          const result = await fn({ page, run, artifacts });
          await keepSession();
          return result;
        } catch (error) {
          await keepSession();
          const captured = (error as { details?: { artifacts?: unknown } }).details?.artifacts;
          const saved = captured ?? (await saveFailureArtifacts(page, artifacts()));
          throw toPlacementFailure(error, {
            step: run.currentStep,
            submitted: run.submitted,
            url: page.url(),
            artifacts: saved,
            ...(run.lastClick && { lastClick: run.lastClick }),
          });
        }
      }),
    );
  }

  function placedResult(
    session: Session,
    found: LookupMatch,
    foundBy: 'recipe' | 'lookup',
    startedAt: Date,
    extracted?: Record<string, string | number>,
  ): PlacementResult {
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
        url: session.page.url(),
        durationMs: clock.now().getTime() - startedAt.getTime(),
        ...(session.run.screenshots.length > 0 && { screenshots: session.run.screenshots }),
        ...(extracted && { extracted }),
      },
    };
  }

  function configOrThrow(context: PlacementContext): HeadlessPlacementConfig {
    const checked = checkHeadlessConfig(context.config, modules);
    if (!checked.ok)
      throw new PermanentPlacementError('config_invalid', 'headless placement config is invalid', {
        fields: checked.errors,
      });
    return checked.config;
  }

  /** Launch failures and crashes outside a step land here too; a missing Chromium goes to the fallback at once. */
  function asFailure(error: unknown, order: PlacementOrder, context: PlacementContext) {
    const failure =
      error instanceof BrowserUnavailableError
        ? new PermanentPlacementError('config_invalid', error.message, { browser: error.reason })
        : toPlacementFailure(error, {});
    context.logger.warn(
      {
        adapter: 'headless',
        orderNumber: order.orderNumber,
        attempt: context.attempt,
        err: { name: failure.name, message: failure.message },
        details: failure.details,
      },
      'headless placement failed',
    );
    return failure;
  }

  return {
    method: 'headless',

    validateConfig(config) {
      const checked = checkHeadlessConfig(config, modules);
      return checked.ok ? {} : checked.errors;
    },

    /** Signs in and opens the recipe's first page, without buying: see ./headless-store-check.ts. */
    check(context) {
      return checkHeadlessStore(context, {
        browserPool,
        modules,
        checkConfig: (config) => checkHeadlessConfig(config, modules),
        navigationTimeoutMs: DEFAULT_NAVIGATION_TIMEOUT_MS,
        selectorTimeoutMs: DEFAULT_SELECTOR_TIMEOUT_MS,
        viewport: DEFAULT_VIEWPORT,
      });
    },

    async place(order, context) {
      const config = configOrThrow(context);
      const startedAt = clock.now();
      try {
        return await withSession(order, context, config, async (session) => {
          await session.run.signIn();
          if (context.attempt > 1) {
            const earlier = await session.run.lookup();
            context.logger.info(
              {
                orderNumber: order.orderNumber,
                lookup: earlier.kind,
                why: 'evidence' in earlier ? earlier.evidence : 'reason' in earlier ? earlier.reason : undefined,
              },
              'headless lookup before buying again',
            );
            if (earlier.kind === 'placed') return placedResult(session, earlier.match, 'lookup', startedAt);
            if (earlier.kind === 'unknown') {
              // An earlier try may have submitted: buying again on a guess could buy twice. Retries look again;
              // when they run out, the order goes to a person who is told it may already have been bought.
              throw new HeadlessTransientError(
                `not buying again: could not tell whether an earlier attempt placed the order (${earlier.reason})`,
                {
                  lookup: 'unknown',
                  mayAlreadyBeBought: true,
                },
              );
            }
          }
          const placed = await session.run.placeOrder();
          return placedResult(session, placed, 'recipe', startedAt, placed.extracted);
        });
      } catch (error) {
        throw asFailure(error, order, context);
      }
    },

    async lookup(order, context): Promise<LookupOutcome> {
      let config: HeadlessPlacementConfig;
      try {
        config = configOrThrow(context);
      } catch (error) {
        return { kind: 'unknown', reason: (error as Error).message };
      }
      const startedAt = clock.now();
      try {
        return await withSession(order, context, config, async (session): Promise<LookupOutcome> => {
          await session.run.signIn();
          const outcome = await session.run.lookup();
          if (outcome.kind === 'placed')
            return { kind: 'placed', result: placedResult(session, outcome.match, 'lookup', startedAt) };
          return outcome;
        });
      } catch (error) {
        // Whatever stopped the lookup (a timeout, a missing browser), it saw nothing either way.
        return { kind: 'unknown', reason: `the recipe's lookup failed: ${asFailure(error, order, context).message}` };
      }
    },
  };
}
