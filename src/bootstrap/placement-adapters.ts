import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { createApiPlacementAdapter } from '../placement/api-adapter';
import { browserPageCapacity, type BrowserCapacity } from '../placement/browser-capacity';
import { createBrowserPool, type BrowserPool } from '../placement/browser-pool';
import { createHeadlessPlacementAdapter } from '../placement/headless-adapter';
import type { PlacementAdapter } from '../placement/placement-adapter';
import { createPlatformCheckoutJournal } from '../repositories/platform-checkouts-repository';

export interface PlacementAdapters {
  adapters: PlacementAdapter[];
  close(): Promise<void>;
  browserPool: BrowserPool;
}

/** This process's Chromium page count: BROWSER_MAX_PAGES, or what the memory holds (src/placement/browser-capacity.ts). */
export function browserPagesFor(config: Config): BrowserCapacity {
  return browserPageCapacity({
    maxPages: config.BROWSER_MAX_PAGES,
    pagesPerGib: config.BROWSER_PAGES_PER_GIB,
    memoryMib: config.BROWSER_MEMORY_MIB,
    reserveMib: config.BROWSER_MEMORY_RESERVE_MIB,
  });
}

/**
 * The automated adapters of this process. Chromium starts lazily, on the first headless placement, but whether it
 * can run at all is checked now: a missing or broken browser is a configuration error to see at start-up, and
 * headless orders then go straight to their store's fallback (the adapter fails them as `config_invalid`).
 */
export function createPlacementAdapters(
  config: Config,
  db: Knex,
  options: { maxPages?: number; logger?: Logger } = {},
): PlacementAdapters {
  const browserPool = createBrowserPool({ maxPages: options.maxPages ?? 2, executablePath: config.CHROMIUM_PATH });
  void browserPool.probe().then((result) => {
    if (result.ok) options.logger?.info({ chromium: result.version }, 'headless placement: Chromium is available');
    else
      options.logger?.error(
        { code: 'config_error', chromiumPath: config.CHROMIUM_PATH, reason: result.reason },
        'headless placement: Chromium is not available; headless orders go to their store fallback',
      );
  });
  return {
    browserPool,
    adapters: [
      // Platform connectors record the retailer-side order before they pay (platform_checkouts).
      createApiPlacementAdapter({ journal: createPlatformCheckoutJournal(db) }),
      createHeadlessPlacementAdapter({ browserPool, artifactsDir: config.ARTIFACTS_DIR }),
    ],
    close: () => browserPool.close(),
  };
}
