import { DomainError } from '../../domain/errors';
import type { EnqueuePlacements } from '../../queue/placement-queue';
import type { CheckoutSessionRecord } from '../../domain/checkout-session';
import { listSessionOrders } from '../../repositories/orders-repository';
import type { OrderRecord } from '../../domain/order';
import { chargeKey } from '../../domain/idempotency-keys';
import { findTransactionByKey } from '../../repositories/payment-transactions-repository';
import type { PromotionService } from '../promotion-service';
import type { ServiceDeps } from '../service-deps';

/** What every step of the place saga may use. */
export interface PlaceContext {
  deps: ServiceDeps;
  promotions: PromotionService;
  enqueuePlacements: EnqueuePlacements;
}

export interface PlaceResult {
  session: CheckoutSessionRecord;
  orders: OrderRecord[];
  /** What the payment did at place: took the money, or (capture policy after_placement) only holds it. */
  payment: 'charged' | 'authorized';
}

export { chargeKey };

/** Until when a place claiming the session now holds it; recovery may take it over after. */
export const leaseUntil = ({ deps }: PlaceContext, now: Date) => new Date(now.getTime() + deps.settings.placeLeaseMs);

/** A placed session as `place` answers it, read back (a replay, or a place someone else finished). */
export async function placedResult({ deps }: PlaceContext, session: CheckoutSessionRecord): Promise<PlaceResult> {
  const [orders, payment] = await Promise.all([
    listSessionOrders(deps.db, [session.id]),
    findTransactionByKey(deps.db, chargeKey(session)),
  ]);
  return { session, orders, payment: payment?.type === 'authorization' ? 'authorized' : 'charged' };
}

/** A replay of this place (same Idempotency-Key) answers its result; another key is told the session is placed. */
export async function alreadyPlaced(
  ctx: PlaceContext,
  session: CheckoutSessionRecord,
  idempotencyKey: string,
): Promise<PlaceResult> {
  if (session.placeIdempotencyKey !== idempotencyKey) {
    throw new DomainError('session_already_placed', 'The checkout session has already been placed', {
      paymentIntentId: session.paymentIntentId,
    });
  }
  return placedResult(ctx, session);
}
