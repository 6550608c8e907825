import { newId } from '../domain/ids';
import type { LookupOutcome, PlacementOrder } from '../placement/placement-adapter';
import type { PlacementMethod } from '../domain/placement-method';
import type { PlacementRegistry } from '../placement/placement-registry';
import { openTask } from '../repositories/ops-tasks-repository';
import type { PlacementStoreSettings } from '../repositories/orders-repository';
import type { OrderRecord } from '../domain/order';
import { transitionOrder } from './order-state-machine';
import type { ServiceDeps } from './service-deps';
import { retailerAccountHint, uncertainHistoryReason, uncertainPurchasePayload } from './uncertain-purchase';

/** What a way out of placement that is not "placed" does once the retailer is known not to hold the order. */
export interface GiveUpActions {
  /** The retailer holds it after all: record its order. */
  placed(order: OrderRecord, storeOrderNumber: string, reason: string, retailerTotalCents?: number): Promise<unknown>;
  /** The retailer definitely does not hold it: fall back, refund, or open a price review. */
  notPlaced(order: OrderRecord, evidence: string): Promise<void>;
}

/** The primary method's settings are the top level of placement_config; a fallback's sit under `fallback`. */
export const configFor = (store: PlacementStoreSettings, method: PlacementMethod): Record<string, unknown> =>
  method === store.placementMethod
    ? store.placementConfig
    : ((store.placementConfig.fallback as Record<string, unknown>) ?? {});

/**
 * Every way out of placement that is not "placed" (retries exhausted, a job that kept killing its workers, a refusal
 * after an earlier try that may have reached the retailer) goes through here. When an earlier try may have reached
 * the retailer, the adapter's lookup decides: only a definite "not placed" may fall back or refund; "unknown" hands
 * the order to people with a task that says it may already have been bought, and refunds nothing.
 */
export function createPlacementGiveUp(deps: ServiceDeps, registry: PlacementRegistry) {
  const { logger } = deps;

  /** Never throws: a lookup that fails, or an adapter without one, is `unknown`. */
  async function askRetailer(
    order: OrderRecord,
    placementOrder: PlacementOrder,
    store: PlacementStoreSettings,
  ): Promise<LookupOutcome> {
    const adapter = registry.adapterFor(order.placementMethod);
    if (!adapter.lookup)
      return { kind: 'unknown', reason: `the ${order.placementMethod} method cannot look orders up` };
    try {
      return await adapter.lookup(placementOrder, {
        config: configFor(store, order.placementMethod),
        priceToleranceCents: store.priceToleranceCents,
        attempt: 2,
        logger: logger.child({
          orderNumber: order.orderNumber,
          method: order.placementMethod,
          lookup: 'before giving up',
        }),
      });
    } catch (error) {
      return { kind: 'unknown', reason: `the lookup failed: ${(error as Error).message}` };
    }
  }

  /**
   * The order goes to people, still `placing`, now by hand: the task opens with the move (one transaction), so no
   * crash leaves the order moved without its warning, or a warning for an order that moved on.
   */
  async function handToOps(
    order: OrderRecord,
    placementOrder: PlacementOrder,
    store: PlacementStoreSettings,
    givingUp: string,
    lookup: string,
  ): Promise<void> {
    const method = order.placementMethod;
    const why = {
      givingUp,
      lookup,
      method,
      since: order.createdAt,
      ...retailerAccountHint(method, configFor(store, method), placementOrder),
    };
    logger.warn(
      { orderNumber: order.orderNumber, givingUp, lookup },
      'placement gave up without knowing whether the retailer has the order; sent to ops',
    );
    await transitionOrder(
      deps,
      order,
      'placing',
      uncertainHistoryReason(placementOrder, why),
      { placementMethod: 'manual' },
      async (trx, moved) => {
        await openTask(trx, {
          id: newId('task'),
          orderId: moved.id,
          kind: 'place_order',
          payload: uncertainPurchasePayload(placementOrder, why),
        });
      },
    );
  }

  return {
    askRetailer,

    /**
     * Takes the way out `givingUp` names. `maybeReached`: an earlier try may have reached the retailer (the order
     * was already `placing` when this run began, or a try failed in a way that does not say "nothing was sent").
     */
    async giveUp(
      order: OrderRecord,
      placementOrder: PlacementOrder,
      store: PlacementStoreSettings,
      givingUp: string,
      maybeReached: boolean,
      actions: GiveUpActions,
    ): Promise<void> {
      if (!maybeReached) return actions.notPlaced(order, givingUp);
      const verdict = await askRetailer(order, placementOrder, store);
      logger.info(
        { orderNumber: order.orderNumber, verdict: verdict.kind, givingUp },
        'asked the retailer before giving up',
      );
      switch (verdict.kind) {
        case 'placed':
          await actions.placed(
            order,
            verdict.result.storeOrderNumber,
            `placed via ${order.placementMethod}: found at the retailer when about to give up (${givingUp})`,
            verdict.result.retailerTotalCents,
          );
          return;
        case 'not_placed':
          return actions.notPlaced(order, `${givingUp}; the retailer does not have it (${verdict.evidence})`);
        case 'unknown':
          return handToOps(order, placementOrder, store, givingUp, verdict.reason);
      }
    },
  };
}

export type PlacementGiveUp = ReturnType<typeof createPlacementGiveUp>;
