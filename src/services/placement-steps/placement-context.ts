import type { PlacementRegistry } from '../../placement/placement-registry';
import type { EnqueuePlacements } from '../../queue/placement-queue';
import type { OpsTaskService } from '../ops-task-service';
import type { createPlacementGiveUp } from '../placement-give-up';
import type { RefundService } from '../refund-service';
import type { ServiceDeps } from '../service-deps';

/** What every step of the placement saga may use. */
export interface PlacementContext {
  deps: ServiceDeps;
  registry: PlacementRegistry;
  refunds: RefundService;
  tasks: OpsTaskService;
  enqueue: EnqueuePlacements;
  giveUps: ReturnType<typeof createPlacementGiveUp>;
}
