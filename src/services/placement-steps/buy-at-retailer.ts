import type { OrderRecord } from '../../domain/order';
import type { PlacementStoreSettings } from '../../repositories/orders-repository';
import {
  PermanentPlacementError,
  PriceMismatchError,
  type PlacementOrder,
  type PlacementOutcome,
} from '../../placement/placement-adapter';
import type { PlacementAttempt } from '../../queue/placement-queue';
import { recordAttempt } from '../../repositories/placement-attempts-repository';
import { configFor } from '../placement-give-up';
import { createStep } from '../saga-step';
import type { PlacementContext } from './placement-context';

/**
 * Step 2: the order's adapter buys it at the retailer; every try is recorded (placement_attempts), refused or not.
 * A transient error is thrown for the queue to retry; a permanent one is handed to the give-up path (fallback
 * method, ops, or fail and refund: see fail-order.ts). A crash after it is resumed by the next run, which tells the
 * adapter an earlier try may have reached the retailer.
 */
export const buyAtRetailer = createStep(
  'buy-at-retailer',
  async (
    { deps, registry }: PlacementContext,
    input: { order: OrderRecord; placementOrder: PlacementOrder; store: PlacementStoreSettings; run: PlacementAttempt },
  ): Promise<PlacementOutcome> => {
    const { order, placementOrder, store, run } = input;
    const adapter = registry.adapterFor(order.placementMethod);
    const started = Date.now();
    const attempt = run.maybeRan ? Math.max(2, run.attempt) : run.attempt;
    const base = { method: order.placementMethod, attempt };
    try {
      const outcome = await adapter.place(placementOrder, {
        config: configFor(store, order.placementMethod),
        priceToleranceCents: store.priceToleranceCents,
        attempt,
        logger: deps.logger.child({ orderNumber: order.orderNumber, method: order.placementMethod }),
      });
      await recordAttempt(deps.db, order.id, {
        ...base,
        outcome: outcome.kind,
        errorCode: null,
        message: null,
        details: outcome.details,
        durationMs: Date.now() - started,
      });
      return outcome;
    } catch (error) {
      const err = error as Error & { code?: string; details?: Record<string, unknown> };
      const outcome =
        error instanceof PriceMismatchError
          ? 'price_mismatch'
          : error instanceof PermanentPlacementError
            ? 'permanent_error'
            : 'transient_error';
      await recordAttempt(deps.db, order.id, {
        ...base,
        outcome,
        errorCode: err.code ?? null,
        message: err.message,
        details: err.details ?? {},
        durationMs: Date.now() - started,
      });
      throw error;
    }
  },
);
