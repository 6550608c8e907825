import type { OrderStatus } from '../domain/order-status';
import type { CheckoutSettlement } from './checkout-settlement';
import type { AfterMove } from './order-state-machine';
import type { RefundService } from './refund-service';
import type { ServiceDeps } from './service-deps';

/** Moves after which the checkout's outcome may change: an order placed, failed or cancelled (even a settled one). */
const SETTLING_MOVES: readonly OrderStatus[] = ['placed', 'failed', 'cancelled'];

/** Sends the refunds the move recorded as owed (it commits their intent, see `RefundService.owedRefund`). */
export const carryOutOwedRefunds =
  (refunds: Pick<RefundService, 'carryOut'>): AfterMove =>
  async ({ debts }) => {
    for (const key of debts.refundKeys) await refunds.carryOut(key);
  };

/** Settles (and, once settled, captures) the checkout of an order that was placed, failed or cancelled. */
export const settleCheckout =
  (settlement: Pick<CheckoutSettlement, 'settleSession'>, crashpoint: ServiceDeps['crashpoint']): AfterMove =>
  async ({ order, to, resumed }) => {
    if (!SETTLING_MOVES.includes(to)) return;
    if (!resumed) crashpoint('placement.before_settle');
    await settlement.settleSession(order.checkoutSessionId);
  };

/**
 * What follows every order move, in this order. Each hook runs even when an earlier one failed (a refund the
 * provider cannot take yet must not hold the checkout's outcome back: its resume would not settle it); the first
 * error is thrown once all have run. Should the process die first, the pending-refund resume and the overdue-settle
 * sweep finish the work.
 */
export function afterMoveHooks(...hooks: AfterMove[]): AfterMove {
  return async (move) => {
    let failure: { error: unknown } | null = null;
    for (const hook of hooks) {
      try {
        await hook(move);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  };
}
