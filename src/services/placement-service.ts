import { DomainError } from '../domain/errors';
import { PermanentPlacementError, PriceMismatchError, type PlacementOutcome } from '../placement/placement-adapter';
import type { PlacementRegistry } from '../placement/placement-registry';
import type { EnqueuePlacements, PlacementAttempt, PlacementHandOff, PlacementJob } from '../queue/placement-queue';
import * as orders from '../repositories/orders-repository';
import type { OrderRecord } from '../domain/order';
import { SETTLED_STATUSES } from '../domain/order-status';
import type { OpsTaskService } from './ops-task-service';
import { transitionOrder, type AlongsideMove } from './order-state-machine';
import { createPlacementGiveUp } from './placement-give-up';
import { toPlacementOrder } from './placement-order';
import { buyAtRetailer } from './placement-steps/buy-at-retailer';
import { giveUpOnMethod } from './placement-steps/fall-back';
import type { PlacementContext } from './placement-steps/placement-context';
import {
  resumeInterruptedPlacements,
  resumeStalledOrders,
  sweepPendingOrders,
} from './placement-steps/placement-sweeps';
import { failOrder, markPlaced } from './placement-steps/record-placement';
import type { RefundService } from './refund-service';
import type { ServiceDeps } from './service-deps';

async function reload({ deps }: PlacementContext, orderNumber: string): Promise<OrderRecord> {
  const order = await orders.findOrderByNumber(deps.db, orderNumber);
  if (!order) throw new DomainError('not_found', `Order ${orderNumber} not found`);
  return order;
}

/** A failed order's job that runs again finishes the failure: the refund may not have gone through. */
const finishFailure = (ctx: PlacementContext, order: OrderRecord) =>
  failOrder(ctx, order, order.failureReason ?? 'placement failed');

/**
 * One run of the queue's job, as steps (src/services/placement-steps/):
 *  1. start: pending → placing (an ops method switch applies)     resume: the stalled-order sweep gives a fresh run
 *  2. buy-at-retailer, every try recorded                          transient → the queue retries; a crash → the next
 *                                                                  run tells the adapter it may have reached it
 *  3. placed → markPlaced; refused → the give-up path: ask the     undo of the charge: failOrder refunds the order
 *     retailer if an earlier try may have reached it, then
 *     the fallback method, ops (price review) or failOrder
 * The checkout's settle and capture, and the refund's send, follow the moves (after-move hooks).
 */
async function runPlacement(
  ctx: PlacementContext,
  run: PlacementJob,
  attempt: PlacementAttempt,
): Promise<PlacementHandOff | undefined> {
  const { deps, tasks, giveUps } = ctx;
  const found = await orders.findOrderForPlacement(deps.db, run.orderNumber);
  if (found?.order.status === 'failed') return finishFailure(ctx, found.order).then(() => undefined);
  if (!found || SETTLED_STATUSES.includes(found.order.status)) return;
  const { store } = found;
  // An ops method switch reaches every order whose placement has not started; a started one keeps its method.
  // A run on the queue of another method is handed to its own before anything happens.
  const runMethod =
    found.order.status === 'pending'
      ? (store.methodOverride ?? found.order.placementMethod)
      : found.order.placementMethod;
  if (attempt.runs && !attempt.runs(runMethod)) return { handOffTo: runMethod };
  // The items and totals an adapter buys do not change while an order is being placed: read once, here.
  const placementOrder = toPlacementOrder(found.order, found.items);
  let order = found.order;
  const wasPlacing = order.status === 'placing';
  if (order.placementMethod === 'manual' && wasPlacing && (await tasks.hasLiveTask(order.id))) return;
  if (order.status === 'pending') {
    const switched = runMethod === order.placementMethod ? undefined : { placementMethod: runMethod };
    order = await transitionOrder(deps, order, 'placing', `placement started via ${runMethod}`, switched);
  }
  deps.crashpoint('placement.before_adapter');
  // An earlier run may have reached the retailer: a failed try, a worker that died, or the order found placing.
  const maybeRan = attempt.maybeRan || wasPlacing;
  let outcome: PlacementOutcome;
  try {
    outcome = await buyAtRetailer.invoke(ctx, { order, placementOrder, store, run: { ...attempt, maybeRan } });
  } catch (error) {
    if (!(error instanceof PermanentPlacementError)) throw error;
    // This try's refusal is definite about itself; only an earlier try may have left an order at the retailer.
    const current = await reload(ctx, order.orderNumber);
    const notPlaced = async (at: OrderRecord, why: string) => {
      if (error instanceof PriceMismatchError) {
        await tasks.openPriceReview(at, placementOrder, error.retailerTotalCents, error.expectedTotalCents);
      } else {
        await giveUpOnMethod(ctx, at, store, why);
      }
    };
    await giveUps.giveUp(current, placementOrder, store, `${error.code}: ${error.message}`, maybeRan, {
      placed: placedBy(ctx),
      notPlaced,
    });
    return;
  }
  deps.crashpoint('placement.after_adapter');
  if (outcome.kind === 'placed') {
    // No re-read first: the move is a compare-and-set on `placing`, so an order someone else moved meanwhile
    // is refused (invalid_transition) exactly as a fresh read would have made it.
    await markPlaced(
      ctx,
      order,
      outcome.storeOrderNumber,
      `placed via ${order.placementMethod}`,
      outcome.retailerTotalCents,
    );
  }
}

const placedBy =
  (ctx: PlacementContext) =>
  (
    order: OrderRecord,
    storeOrderNumber: string,
    reason: string,
    retailerTotalCents?: number,
    alongside?: AlongsideMove,
  ) =>
    markPlaced(ctx, order, storeOrderNumber, reason, retailerTotalCents, alongside);

/**
 * The queue gave up on a run (retries exhausted, or a job that kept killing its workers). Every try may have
 * reached the retailer once the order is `placing`, so the retailer is asked before anything is given up.
 */
async function runExhausted(ctx: PlacementContext, run: PlacementJob, error: Error): Promise<void> {
  const found = await orders.findOrderForPlacement(ctx.deps.db, run.orderNumber);
  if (found?.order.status === 'failed') return finishFailure(ctx, found.order);
  if (!found || SETTLED_STATUSES.includes(found.order.status)) return;
  const { order, store } = found;
  if (order.placementMethod === 'manual' && (await ctx.tasks.hasLiveTask(order.id))) return;
  const placementOrder = toPlacementOrder(order, found.items);
  await ctx.giveUps.giveUp(
    order,
    placementOrder,
    store,
    `retries exhausted: ${error.message}`,
    order.status === 'placing',
    {
      placed: placedBy(ctx),
      notPlaced: (at, why) => giveUpOnMethod(ctx, at, store, why),
    },
  );
}

/**
 * Buying one store order from its retailer, as the queue's job handler. Idempotent per order: a settled order
 * is left alone, a re-run after a crash tells the adapter an earlier try may have reached the retailer, and
 * the final failure refunds exactly this order. Permanent refusals go to the store's fallback (or fail the
 * order) here; transient errors are thrown for the queue to retry.
 */
export function createPlacementService(
  deps: ServiceDeps,
  collaborators: {
    registry: PlacementRegistry;
    refunds: RefundService;
    tasks: OpsTaskService;
    enqueue: EnqueuePlacements;
  },
) {
  const ctx: PlacementContext = {
    deps,
    ...collaborators,
    giveUps: createPlacementGiveUp(deps, collaborators.registry),
  };
  return {
    failOrder: (order: OrderRecord, reason: string, alongside?: AlongsideMove) =>
      failOrder(ctx, order, reason, alongside),
    markPlaced: placedBy(ctx),
    /** The queue's job handler. */
    place: (run: PlacementJob, attempt: PlacementAttempt) => runPlacement(ctx, run, attempt),
    /** The queue's handler for a run it will not try again. */
    exhausted: (run: PlacementJob, error: Error) => runExhausted(ctx, run, error),
    /** Enqueues orders whose enqueue was lost (the process died between commit and enqueue). */
    sweepPendingOrders: (olderThanMs?: number, limit?: number) => sweepPendingOrders(ctx, olderThanMs, limit),
    /** Gives a fresh run to orders whose run was lost (see `resumeStalledOrders`). */
    resumeStalledOrders: (limit?: number) => resumeStalledOrders(ctx, limit),
    /** Re-enqueues every order a stopped process was placing (the in-process queue forgets its jobs). */
    resumeInterruptedPlacements: (limit?: number) => resumeInterruptedPlacements(ctx, limit),
  };
}

export type PlacementService = ReturnType<typeof createPlacementService>;
