import { FAILED_OR_CANCELLED_STATUSES, SETTLED_STATUSES } from '../domain/order-status';
import {
  listOverdueSettlements,
  settleSessionFromOrders,
  type SettlementRule,
} from '../repositories/checkout-settlement-repository';
import type { CaptureService } from './capture-service';
import type { ServiceDeps } from './service-deps';

/** A checkout is completed when none of its orders failed, failed when all did, partially_failed otherwise. */
const SETTLEMENT: SettlementRule = { settled: SETTLED_STATUSES, failed: FAILED_OR_CANCELLED_STATUSES };
/**
 * A checkout settles right after its last order's move. One placed longer ago than this whose orders are all
 * settled lost its settle to a crash; settling it again is harmless (the settle is a compare-and-set), so the
 * threshold only keeps the sweep off checkouts still being settled the normal way.
 */
const OVERDUE_SETTLEMENT_MS = 3_000;

/**
 * A checkout's outcome from its orders (completed / partially_failed / failed), and its capture once known. Run
 * after an order's move has committed (an after-move hook, src/services/order-moves.ts), never inside it: see
 * `settleSessionFromOrders`. A settle a crash lost is caught up by `settleOverdueCheckouts`.
 */
export function createCheckoutSettlement(deps: ServiceDeps, captures: CaptureService) {
  const { db, clock } = deps;

  /**
   * Settles the checkout once every order of it is settled. A checkout that has just settled is captured (capture
   * policy after_placement); a crash in between is caught up by the capture sweep.
   */
  async function settleSession(checkoutSessionId: string): Promise<void> {
    if (await settleSessionFromOrders(db, checkoutSessionId, SETTLEMENT, clock.now())) {
      await captures.checkoutSettled(checkoutSessionId);
    }
  }

  return {
    settleSession,

    /**
     * Settles checkouts whose last order's settle was lost to a crash (every order settled, the checkout not).
     * Maintenance runs it every 2 s on its own timer.
     */
    async settleOverdueCheckouts(limit = 200): Promise<number> {
      const overdue = await listOverdueSettlements(
        db,
        SETTLEMENT,
        new Date(clock.now().getTime() - OVERDUE_SETTLEMENT_MS),
        limit,
      );
      for (const sessionId of overdue) await settleSession(sessionId);
      return overdue.length;
    },
  };
}

export type CheckoutSettlement = ReturnType<typeof createCheckoutSettlement>;
