import { DomainError } from '../domain/errors';
import { FAILED_OR_CANCELLED_STATUSES, SETTLED_STATUSES } from '../domain/order-status';
import { PermanentPlacementError, PriceMismatchError, type PlacementOrder, type PlacementOutcome } from '../placement/placement-adapter';
import type { PlacementRegistry } from '../placement/placement-registry';
import { listOverdueSettlements, settleSessionFromOrders, type SettlementRule } from '../repositories/checkout-settlement-repository';
import * as orders from '../repositories/orders-repository';
import type { PlacementStoreSettings } from '../repositories/orders-repository';
import type { OrderRecord } from '../domain/order';
import { countFailedRefunds } from '../repositories/payment-transactions-repository';
import { recordAttempt } from '../repositories/placement-attempts-repository';
import type { CaptureService } from './capture-service';
import type { OpsTaskService } from './ops-task-service';
import { alongsideAll, transitionOrder, type AlongsideMove } from './order-state-machine';
import { configFor, createPlacementGiveUp } from './placement-give-up';
import { toPlacementOrder } from './placement-order';
import type { RefundService } from './refund-service';
import type { ServiceDeps } from './service-deps';
import { placementFailedRefundKey } from '../domain/idempotency-keys';

export interface PlacementRun {
  orderNumber: string;
  storeId: string;
  /** Distinguishes a later run of the same order (a fallback, an ops retry) from the first one. */
  runKey?: string;
}

export interface RunAttempt {
  attempt: number;
  maxAttempts: number;
  maybeRan: boolean;
}

/** How long an order may sit with no run taking it forward before it gets a fresh one. */
const STALLED_PENDING_MS = 10 * 60_000;
const STALLED_PLACING_MS = 30 * 60_000;
/**
 * A checkout settles right after its last order's move. One placed longer ago than this whose orders are all
 * settled lost its settle to a crash; settling it again is harmless (the settle is a compare-and-set), so the
 * threshold only keeps the sweep off checkouts still being settled the normal way.
 */
const OVERDUE_SETTLEMENT_MS = 3_000;
/** A checkout is completed when none of its orders failed, failed when all did, partially_failed otherwise. */
const SETTLEMENT: SettlementRule = { settled: SETTLED_STATUSES, failed: FAILED_OR_CANCELLED_STATUSES };

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
    captures: CaptureService;
    enqueue: (runs: PlacementRun[]) => Promise<void>;
  },
) {
  const { db, clock, logger, crashpoint } = deps;
  const { registry, refunds, tasks } = collaborators;
  const giveUps = createPlacementGiveUp(deps, registry);

  async function reload(orderNumber: string): Promise<OrderRecord> {
    const order = await orders.findOrderByNumber(db, orderNumber);
    if (!order) throw new DomainError('not_found', `Order ${orderNumber} not found`);
    return order;
  }

  /**
   * completed / partially_failed / failed once every order of the checkout is settled. Called after the order's
   * own move has committed, never inside it: see `settleSessionFromOrders`. A checkout that has just settled is
   * captured (capture policy after_placement); a crash in between is caught up by the capture sweep.
   */
  async function settleSession(checkoutSessionId: string): Promise<void> {
    if (await settleSessionFromOrders(db, checkoutSessionId, SETTLEMENT, clock.now())) {
      await collaborators.captures.checkoutSettled(checkoutSessionId);
    }
  }

  async function markPlaced(order: OrderRecord, storeOrderNumber: string, reason: string, retailerTotalCents?: number, alongside?: AlongsideMove) {
    const placed = await transitionOrder(deps, order, 'placed', reason, { storeOrderNumber, placedAt: clock.now(), retailerTotalCents }, alongside);
    crashpoint('placement.before_settle');
    await settleSession(placed.checkoutSessionId);
    return placed;
  }

  /**
   * No retailer will take the order: fail it, refund exactly its total, and settle the checkout. The refund's
   * intent commits with the move; called again for a failed order (its refund refused, or interrupted by a crash
   * or a payment outage) it only finishes the refund.
   */
  async function failOrder(order: OrderRecord, reason: string, alongside?: AlongsideMove): Promise<void> {
    // A refund the provider refused does not count: a later failure of the same order (after an ops retry)
    // asks again under a new key, while a pending one keeps its key until it is settled.
    const key = placementFailedRefundKey(order.orderNumber, await countFailedRefunds(db, order.id));
    const owed = alongsideAll(alongside, refunds.owedRefund(`placement failed: ${reason}`, key));
    let current = order;
    if (current.status !== 'failed') {
      current = await transitionOrder(deps, current, 'failed', reason, { failureReason: reason }, owed);
      crashpoint('placement.before_settle');
    } else {
      await db.transaction((trx) => owed(trx, current));
    }
    try {
      await refunds.carryOut(key);
    } finally {
      // The checkout's outcome depends on its orders alone; a refund still pending is finished by a later run
      // of this order's job or by the pending-refund resume, neither of which would settle the session.
      await settleSession(current.checkoutSessionId);
    }
  }

  /** A failed order's job that runs again finishes the failure: the refund may not have gone through. */
  const finishFailure = (order: OrderRecord) => failOrder(order, order.failureReason ?? 'placement failed');

  /** A permanent refusal or exhausted retries: the store's fallback gets the order, or it fails. */
  async function giveUpOnMethod(order: OrderRecord, store: PlacementStoreSettings, reason: string): Promise<void> {
    const fallback = store.fallbackMethod;
    if (fallback && order.placementMethod !== fallback && order.placementMethod === store.placementMethod) {
      const switched = await transitionOrder(deps, order, 'placing', `${order.placementMethod} placement gave up (${reason}); falling back to ${fallback}`, {
        placementMethod: fallback,
      });
      await collaborators.enqueue([{ orderNumber: switched.orderNumber, storeId: switched.storeId, runKey: fallback }]);
      return;
    }
    await failOrder(order, reason);
  }

  async function runAdapter(
    order: OrderRecord,
    placementOrder: PlacementOrder,
    store: PlacementStoreSettings,
    run: RunAttempt,
  ): Promise<PlacementOutcome> {
    const adapter = registry.adapterFor(order.placementMethod);
    const started = Date.now();
    const attempt = run.maybeRan ? Math.max(2, run.attempt) : run.attempt;
    const base = { method: order.placementMethod, attempt };
    try {
      const outcome = await adapter.place(placementOrder, {
        config: configFor(store, order.placementMethod),
        priceToleranceCents: store.priceToleranceCents,
        attempt,
        logger: logger.child({ orderNumber: order.orderNumber, method: order.placementMethod }),
      });
      await recordAttempt(db, order.id, { ...base, outcome: outcome.kind, errorCode: null, message: null, details: outcome.details, durationMs: Date.now() - started });
      return outcome;
    } catch (error) {
      const err = error as Error & { code?: string; details?: Record<string, unknown> };
      const outcome = error instanceof PriceMismatchError ? 'price_mismatch' : error instanceof PermanentPlacementError ? 'permanent_error' : 'transient_error';
      await recordAttempt(db, order.id, { ...base, outcome, errorCode: err.code ?? null, message: err.message, details: err.details ?? {}, durationMs: Date.now() - started });
      throw error;
    }
  }

  return {
    settleSession,
    failOrder,
    markPlaced,

    /** The queue's job handler. */
    async place(run: PlacementRun, attempt: RunAttempt): Promise<void> {
      const found = await orders.findOrderForPlacement(db, run.orderNumber);
      if (found?.order.status === 'failed') return finishFailure(found.order);
      if (!found || SETTLED_STATUSES.includes(found.order.status)) return;
      const { store } = found;
      // The items and totals an adapter buys do not change while an order is being placed: read once, here.
      const placementOrder = toPlacementOrder(found.order, found.items);
      let order = found.order;
      const wasPlacing = order.status === 'placing';
      if (order.placementMethod === 'manual' && wasPlacing && (await tasks.hasLiveTask(order.id))) return;
      if (order.status === 'pending') {
        // An ops method switch reaches every order whose placement has not started; a started one keeps its method.
        const method = store.methodOverride ?? order.placementMethod;
        const switched = method === order.placementMethod ? undefined : { placementMethod: method };
        order = await transitionOrder(deps, order, 'placing', `placement started via ${method}`, switched);
      }
      crashpoint('placement.before_adapter');
      // An earlier run may have reached the retailer: a failed try, a worker that died, or the order found placing.
      const maybeRan = attempt.maybeRan || wasPlacing;
      let outcome: PlacementOutcome;
      try {
        outcome = await runAdapter(order, placementOrder, store, { ...attempt, maybeRan });
      } catch (error) {
        if (!(error instanceof PermanentPlacementError)) throw error;
        // This try's refusal is definite about itself; only an earlier try may have left an order at the retailer.
        const current = await reload(order.orderNumber);
        const notPlaced = async (at: OrderRecord, why: string) => {
          if (error instanceof PriceMismatchError) {
            await tasks.openPriceReview(at, placementOrder, error.retailerTotalCents, error.expectedTotalCents);
          } else {
            await giveUpOnMethod(at, store, why);
          }
        };
        await giveUps.giveUp(current, placementOrder, store, `${error.code}: ${error.message}`, maybeRan, { placed: markPlaced, notPlaced });
        return;
      }
      crashpoint('placement.after_adapter');
      if (outcome.kind === 'placed') {
        // No re-read first: the move is a compare-and-set on `placing`, so an order someone else moved meanwhile
        // is refused (invalid_transition) exactly as a fresh read would have made it.
        await markPlaced(order, outcome.storeOrderNumber, `placed via ${order.placementMethod}`, outcome.retailerTotalCents);
      }
    },

    /**
     * The queue gave up on a run (retries exhausted, or a job that kept killing its workers). Every try may have
     * reached the retailer once the order is `placing`, so the retailer is asked before anything is given up.
     */
    async exhausted(run: PlacementRun, error: Error): Promise<void> {
      const found = await orders.findOrderForPlacement(db, run.orderNumber);
      if (found?.order.status === 'failed') return finishFailure(found.order);
      if (!found || SETTLED_STATUSES.includes(found.order.status)) return;
      const { order, store } = found;
      if (order.placementMethod === 'manual' && (await tasks.hasLiveTask(order.id))) return;
      const placementOrder = toPlacementOrder(order, found.items);
      await giveUps.giveUp(order, placementOrder, store, `retries exhausted: ${error.message}`, order.status === 'placing', {
        placed: markPlaced,
        notPlaced: (at, why) => giveUpOnMethod(at, store, why),
      });
    },

    /** Enqueues orders whose enqueue was lost (the process died between commit and enqueue). */
    async sweepPendingOrders(olderThanMs = 30_000, limit = 200): Promise<number> {
      const stuck = await orders.listOrderRefsByStatus(db, 'pending', new Date(clock.now().getTime() - olderThanMs), limit);
      if (stuck.length > 0) {
        await collaborators.enqueue(stuck);
        logger.info({ count: stuck.length }, 'swept pending orders back onto the placement queue');
      }
      return stuck.length;
    },

    /**
     * Gives a fresh run to orders whose run was lost: a job that ended without moving its order (its failure
     * handler died), an ops retry or fallback whose enqueue was lost, a manual run that died before opening the
     * task. Older than any retry schedule (backoff tops out at 10 minutes), so a run still waiting for its next
     * try is left alone; and a fresh run of an order still being placed waits for that run (one run per order).
     */
    async resumeStalledOrders(limit = 200): Promise<number> {
      const now = clock.now().getTime();
      const cutoffs = { pendingBefore: new Date(now - STALLED_PENDING_MS), placingBefore: new Date(now - STALLED_PLACING_MS) };
      const stalled = await orders.listStalledOrderRefs(db, cutoffs, limit);
      if (stalled.length > 0) {
        // One run key per window: instances sweeping at once add the same job, which the queue keeps once.
        const runKey = `resume-${Math.floor(now / STALLED_PLACING_MS)}`;
        await collaborators.enqueue(stalled.map((ref) => ({ ...ref, runKey })));
        logger.warn({ orders: stalled.map((ref) => ref.orderNumber) }, 'gave stalled orders a fresh placement run');
      }
      return stalled.length;
    },

    /**
     * Settles checkouts whose last order's settle was lost to a crash (every order settled, the checkout not).
     * Maintenance runs it every 2 s on its own timer.
     */
    async settleOverdueCheckouts(limit = 200): Promise<number> {
      const overdue = await listOverdueSettlements(db, SETTLEMENT, new Date(clock.now().getTime() - OVERDUE_SETTLEMENT_MS), limit);
      for (const sessionId of overdue) await settleSession(sessionId);
      return overdue.length;
    },

    /**
     * Re-enqueues every order a stopped process was placing. For the in-process queue, which forgets its jobs
     * on restart; each run sees the order `placing` and so looks it up at the retailer before buying.
     */
    async resumeInterruptedPlacements(limit = 1000): Promise<number> {
      const interrupted = await orders.listOrderRefsByStatus(db, 'placing', clock.now(), limit);
      if (interrupted.length > 0) {
        await collaborators.enqueue(interrupted);
        logger.info({ count: interrupted.length }, 'resumed placements a stopped process left unfinished');
      }
      return interrupted.length;
    },
  };
}

export type PlacementService = ReturnType<typeof createPlacementService>;
