import type { Config } from '../config';
import { createApiPlacementAdapter } from '../placement/api-adapter';
import { createBrowserPool } from '../placement/browser-pool';
import { createHeadlessPlacementAdapter } from '../placement/headless-adapter';
import type { PlacementAdapter } from '../placement/placement-adapter';

export interface PlacementAdapters {
  adapters: PlacementAdapter[];
  close(): Promise<void>;
}

/** The automated adapters of this process. Chromium starts lazily, on the first headless placement. */
export function createPlacementAdapters(config: Config, options: { maxPages?: number } = {}): PlacementAdapters {
  const browserPool = createBrowserPool({ maxPages: options.maxPages ?? 2, executablePath: config.CHROMIUM_PATH });
  return {
    adapters: [
      createApiPlacementAdapter(),
      createHeadlessPlacementAdapter({ browserPool, artifactsDir: config.ARTIFACTS_DIR }),
    ],
    close: () => browserPool.close(),
  };
}
