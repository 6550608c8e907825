import type { Knex } from 'knex';
import type { Config } from '../config';
import { createApiPlacementAdapter } from '../placement/api-adapter';
import { createBrowserPool } from '../placement/browser-pool';
import { createHeadlessPlacementAdapter } from '../placement/headless-adapter';
import type { PlacementAdapter } from '../placement/placement-adapter';
import { createPlatformCheckoutJournal } from '../repositories/platform-checkouts-repository';

export interface PlacementAdapters {
  adapters: PlacementAdapter[];
  close(): Promise<void>;
}

/** The automated adapters of this process. Chromium starts lazily, on the first headless placement. */
export function createPlacementAdapters(config: Config, db: Knex, options: { maxPages?: number } = {}): PlacementAdapters {
  const browserPool = createBrowserPool({ maxPages: options.maxPages ?? 2, executablePath: config.CHROMIUM_PATH });
  return {
    adapters: [
      // Platform connectors record the retailer-side order before they pay (platform_checkouts).
      createApiPlacementAdapter({ journal: createPlatformCheckoutJournal(db) }),
      createHeadlessPlacementAdapter({ browserPool, artifactsDir: config.ARTIFACTS_DIR }),
    ],
    close: () => browserPool.close(),
  };
}
