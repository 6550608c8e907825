import type { PlacementJob } from '../../queue/placement-queue';
import { createStep } from '../saga-step';
import type { PlaceContext } from './place-context';

/**
 * Step 4: hands the committed orders to placement. Never undone and never fails the place: the orders are
 * committed, and the pending-order sweeper enqueues whatever did not make it.
 */
export const enqueuePlacements = createStep(
  'enqueue-placements',
  async ({ deps, enqueuePlacements: enqueue }: PlaceContext, jobs: PlacementJob[]): Promise<void> => {
    try {
      await enqueue(jobs);
    } catch (error) {
      deps.logger.warn({ err: error, jobs: jobs.length }, 'enqueue after commit failed; the sweeper will retry');
    }
  },
);
