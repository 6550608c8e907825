import type { OrderRecord } from '../../domain/order';
import { placementFailedRefundKey } from '../../domain/idempotency-keys';
import { countFailedRefunds } from '../../repositories/payment-transactions-repository';
import { alongsideAll, finishMove, transitionOrder, type AlongsideMove } from '../order-state-machine';
import type { PlacementContext } from './placement-context';

/**
 * Step 3 when the retailer took it: the order is placed with the retailer's order number. The checkout is settled
 * (and captured) by the after-move hooks; a settle a crash lost is caught up by the overdue-settle sweep.
 */
export function markPlaced(
  { deps }: PlacementContext,
  order: OrderRecord,
  storeOrderNumber: string,
  reason: string,
  retailerTotalCents?: number,
  alongside?: AlongsideMove,
): Promise<OrderRecord> {
  return transitionOrder(
    deps,
    order,
    'placed',
    reason,
    { storeOrderNumber, placedAt: deps.clock.now(), retailerTotalCents },
    alongside,
  );
}

/**
 * The undo of the charge for one order no retailer will take: fail it and refund exactly its total. The refund's
 * intent commits with the move, and the after-move hooks send it and settle the checkout. Called again for a
 * failed order (its refund refused, or interrupted by a crash or a payment outage) it only finishes the refund
 * and the settle.
 */
export async function failOrder(
  { deps, refunds }: PlacementContext,
  order: OrderRecord,
  reason: string,
  alongside?: AlongsideMove,
): Promise<void> {
  // A refund the provider refused does not count: a later failure of the same order (after an ops retry)
  // asks again under a new key, while a pending one keeps its key until it is settled.
  const key = placementFailedRefundKey(order.orderNumber, await countFailedRefunds(deps.db, order.id));
  const owed = alongsideAll(alongside, refunds.owedRefund(`placement failed: ${reason}`, key));
  if (order.status !== 'failed') await transitionOrder(deps, order, 'failed', reason, { failureReason: reason }, owed);
  else await finishMove(deps, order, owed);
}
