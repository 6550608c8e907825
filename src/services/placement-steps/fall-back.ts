import type { OrderRecord } from '../../domain/order';
import type { PlacementStoreSettings } from '../../repositories/orders-repository';
import { transitionOrder } from '../order-state-machine';
import type { PlacementContext } from './placement-context';
import { failOrder } from './record-placement';

/**
 * A permanent refusal or exhausted retries: the store's fallback method gets the order (a fresh run, keyed by the
 * method, so its enqueue is deduplicated on its own), or it fails and is refunded. A lost enqueue is caught up by
 * the stalled-order resume.
 */
export async function giveUpOnMethod(
  ctx: PlacementContext,
  order: OrderRecord,
  store: PlacementStoreSettings,
  reason: string,
): Promise<void> {
  const fallback = store.fallbackMethod;
  if (fallback && order.placementMethod !== fallback && order.placementMethod === store.placementMethod) {
    const switched = await transitionOrder(
      ctx.deps,
      order,
      'placing',
      `${order.placementMethod} placement gave up (${reason}); falling back to ${fallback}`,
      {
        placementMethod: fallback,
      },
    );
    await ctx.enqueue([
      { orderNumber: switched.orderNumber, storeId: switched.storeId, runKey: fallback, method: fallback },
    ]);
    return;
  }
  await failOrder(ctx, order, reason);
}
