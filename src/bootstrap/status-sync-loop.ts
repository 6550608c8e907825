import { repeating } from './repeating';
import type { Logger } from '../logger';
import type { Services } from '../services/create-services';

/**
 * The status sync on its own timer, apart from the maintenance loop: its polls wait on retailers, and a slow one
 * must never hold up the resume of payments and placements. One pass at a time per process; every instance may
 * run it (orders are claimed, so two instances never poll the same order at once).
 */
export function startStatusSync(services: Services, logger: Logger, intervalMs = 15_000): { stop(): Promise<void> } {
  return repeating(intervalMs, async () => {
    try {
      const { polled, moved } = await services.statusSync.syncDue();
      if (moved > 0) logger.info({ polled, moved }, 'status sync moved orders');
    } catch (error) {
      logger.error({ err: error }, 'status sync pass failed; will try again');
    }
  });
}
