import { newId } from '../domain/ids';
import type { OpsTaskPort } from '../placement/manual-adapter';
import { manualTaskPayload } from '../placement/manual-adapter';
import type { PlacementOrder } from '../placement/placement-adapter';
import { findOrderByNumber } from '../repositories/orders-repository';
import type { OrderRecord } from '../domain/order';
import * as tasks from '../repositories/ops-tasks-repository';
import { transitionOrder } from './order-state-machine';
import type { ServiceDeps } from './service-deps';

/** Opening tasks for people: manual placement and price reviews. */
export function createOpsTaskService(deps: ServiceDeps) {
  const { db } = deps;

  const port: OpsTaskPort = {
    async openPlacementTask(order, payload) {
      const record = await findOrderByNumber(db, order.orderNumber);
      const task = await tasks.openTask(db, {
        id: newId('task'),
        orderId: record!.id,
        kind: 'place_order',
        payload: { ...payload },
      });
      return { taskId: task.id };
    },
    async findPurchase(orderNumber) {
      const record = await findOrderByNumber(db, orderNumber);
      return record ? tasks.findPurchaseRecord(db, record.id) : { kind: 'none' };
    },
  };

  return {
    port,

    hasLiveTask: async (orderId: string) => (await tasks.findLiveTaskForOrder(db, orderId)) !== null,

    /**
     * The retailer wants more than the snapshot allows: nothing was submitted, the order moves to people with
     * both figures. The shopper is never charged more than the snapshot.
     */
    async openPriceReview(
      order: OrderRecord,
      placementOrder: PlacementOrder,
      retailerTotalCents: number,
      expectedTotalCents: number,
    ) {
      const reason = `retailer total ${retailerTotalCents} exceeds snapshot ${expectedTotalCents} beyond tolerance; sent to ops review`;
      const moved =
        order.placementMethod === 'manual'
          ? order
          : await transitionOrder(deps, order, 'placing', reason, { placementMethod: 'manual' });
      return tasks.openTask(db, {
        id: newId('task'),
        orderId: moved.id,
        kind: 'price_review',
        payload: {
          ...manualTaskPayload(
            placementOrder,
            `The retailer's total (${retailerTotalCents}) is above what the shopper paid (${expectedTotalCents}) by more than the ` +
              `store's tolerance. Place it by hand if the difference is acceptable, or fail the task to refund the shopper.`,
          ),
          priceReview: {
            retailerTotalCents,
            expectedTotalCents,
            differenceCents: retailerTotalCents - expectedTotalCents,
          },
        },
      });
    },
  };
}

export type OpsTaskService = ReturnType<typeof createOpsTaskService>;
