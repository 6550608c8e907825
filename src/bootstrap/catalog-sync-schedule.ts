import { repeating } from './repeating';
import type { Logger } from '../logger';
import type { CatalogSyncService } from '../services/catalog-sync-service';

/**
 * The catalog sync job on a timer: every tick syncs the stores whose next run is due (CatalogSyncService decides:
 * the interval after a good run, a growing backoff after failures). Runs on the lead API instance, like maintenance;
 * two instances would still never run one store twice at once (a run is claimed in the database).
 */
export function startCatalogSyncSchedule(
  catalogSync: CatalogSyncService,
  logger: Logger,
  tickMs = 60_000,
): { stop(): Promise<void> } {
  return repeating(tickMs, async () => {
    try {
      const outcome = await catalogSync.syncDueStores();
      if (outcome.succeeded + outcome.failed > 0) logger.info(outcome, 'scheduled catalog syncs ran');
    } catch (error) {
      logger.error({ err: error }, 'catalog sync schedule failed; will try again');
    }
  });
}
