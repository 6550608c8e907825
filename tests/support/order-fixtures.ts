import type { CheckoutHarness } from './checkout-harness';
import { bearer } from './tokens';
import { findOrderByNumber } from '../../src/repositories/orders-repository';
import { transitionOrder } from '../../src/services/order-state-machine';

/** Checks out the harness's two-store cart and returns the session and its order numbers (acme first). */
export async function placeCheckout(h: CheckoutHarness, userId: string, key = `${userId}-place`) {
  const sessionId = await h.sessionReadyToPlace(userId);
  const { body } = await h.http
    .post(`/api/v1/checkout/sessions/${sessionId}/place`)
    .set(bearer(userId))
    .set('Idempotency-Key', key)
    .expect(201);
  return {
    sessionId,
    orderNumbers: body.data.orders.map((o: { orderNumber: string }) => o.orderNumber) as string[],
    chargedCents: body.data.chargedCents as number,
  };
}

/** Moves an order as a worker would: pending → placing → placed with the retailer's number. */
export async function markPlacedAtRetailer(
  h: CheckoutHarness,
  orderNumber: string,
  storeOrderNumber: string,
): Promise<void> {
  const deps = { db: h.database.db, clock: h.clock };
  const order = (await findOrderByNumber(h.database.db, orderNumber))!;
  const placing = await transitionOrder(deps, order, 'placing', 'test: worker picked it up');
  await h.app.services.placement.markPlaced(placing, storeOrderNumber, 'test: retailer accepted');
}

export async function ledgerFor(h: CheckoutHarness, sessionId: string) {
  return h.database.db('payment_transactions').where({ checkout_session_id: sessionId }).orderBy('created_at');
}
