import * as orders from '../../repositories/orders-repository';
import type { PlacementContext } from './placement-context';

// The resume half of placement: runs a crash or a lost enqueue left without a job get one again. Each is safe on
// every instance at once (the queue keeps one job per order and run key).

/** How long an order may sit with no run taking it forward before it gets a fresh one. */
const STALLED_PENDING_MS = 10 * 60_000;
const STALLED_PLACING_MS = 30 * 60_000;

/** Enqueues orders whose enqueue was lost (the process died between commit and enqueue). */
export async function sweepPendingOrders(
  { deps, enqueue }: PlacementContext,
  olderThanMs = 30_000,
  limit = 200,
): Promise<number> {
  const { db, clock, logger } = deps;
  const stuck = await orders.listOrderRefsByStatus(db, 'pending', new Date(clock.now().getTime() - olderThanMs), limit);
  if (stuck.length > 0) {
    await enqueue(stuck);
    logger.info({ count: stuck.length }, 'swept pending orders back onto the placement queue');
  }
  return stuck.length;
}

/**
 * Gives a fresh run to orders whose run was lost: a job that ended without moving its order (its failure
 * handler died), an ops retry or fallback whose enqueue was lost, a manual run that died before opening the
 * task. Older than any retry schedule (backoff tops out at 10 minutes), so a run still waiting for its next
 * try is left alone; and a fresh run of an order still being placed waits for that run (one run per order).
 */
export async function resumeStalledOrders({ deps, enqueue }: PlacementContext, limit = 200): Promise<number> {
  const { db, clock, logger } = deps;
  const now = clock.now().getTime();
  const cutoffs = {
    pendingBefore: new Date(now - STALLED_PENDING_MS),
    placingBefore: new Date(now - STALLED_PLACING_MS),
  };
  const stalled = await orders.listStalledOrderRefs(db, cutoffs, limit);
  if (stalled.length > 0) {
    // One run key per window: instances sweeping at once add the same job, which the queue keeps once.
    const runKey = `resume-${Math.floor(now / STALLED_PLACING_MS)}`;
    await enqueue(stalled.map((ref) => ({ ...ref, runKey })));
    logger.warn({ orders: stalled.map((ref) => ref.orderNumber) }, 'gave stalled orders a fresh placement run');
  }
  return stalled.length;
}

/**
 * Re-enqueues every order a stopped process was placing. For the in-process queue, which forgets its jobs
 * on restart; each run sees the order `placing` and so looks it up at the retailer before buying.
 */
export async function resumeInterruptedPlacements({ deps, enqueue }: PlacementContext, limit = 1000): Promise<number> {
  const { db, clock, logger } = deps;
  const interrupted = await orders.listOrderRefsByStatus(db, 'placing', clock.now(), limit);
  if (interrupted.length > 0) {
    await enqueue(interrupted);
    logger.info({ count: interrupted.length }, 'resumed placements a stopped process left unfinished');
  }
  return interrupted.length;
}
