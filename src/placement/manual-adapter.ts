import type {
  LookupOutcome,
  PlacementAdapter,
  PlacementOrder,
  PlacementOutcome,
  PlacementShippingOption,
} from './placement-adapter';

/** What our own task records say about buying an order by hand. */
export type ManualPurchase =
  | { kind: 'bought'; taskId: string; storeOrderNumber: string; resolvedAt: Date }
  /** A task someone may be acting on right now (open, or claimed by `claimedBy`). */
  | { kind: 'in_hand'; taskId: string; claimedBy: string | null }
  | { kind: 'none' };

/** Where manual placement hands work to people. The ops-task service implements it. */
export interface OpsTaskPort {
  /** Opens (or finds the live) task for the order; idempotent per order. */
  openPlacementTask(order: PlacementOrder, payload: ManualTaskPayload): Promise<{ taskId: string }>;
  /** Whether a person recorded buying the order, or may be buying it now. */
  findPurchase(orderNumber: string): Promise<ManualPurchase>;
}

/** Everything a person needs to buy the order on the retailer's site by hand. */
export interface ManualTaskPayload {
  orderNumber: string;
  store: { slug: string; name: string };
  items: {
    orderItemId: string;
    sku: string;
    name: string;
    size: string | null;
    color: string | null;
    quantity: number;
    unitPriceCents: number;
    totalPriceCents: number;
    productUrl: string | null;
  }[];
  shippingAddress: PlacementOrder['shippingAddress'];
  /** The shipping the shopper chose (and paid for): choose the same at the retailer. */
  shippingMethod: PlacementShippingOption | null;
  totals: { subtotalCents: number; shippingCents: number; taxCents: number; totalCents: number; currency: string };
  instructions: string;
}

export function manualTaskPayload(order: PlacementOrder, instructions?: string): ManualTaskPayload {
  return {
    orderNumber: order.orderNumber,
    store: { slug: order.storeSlug, name: order.storeName },
    items: order.items.map((item) => ({
      orderItemId: item.orderItemId,
      sku: item.sku,
      name: item.name,
      size: item.size ?? null,
      color: item.color ?? null,
      quantity: item.quantity,
      unitPriceCents: item.unitPriceCents,
      totalPriceCents: item.totalPriceCents,
      productUrl: item.productUrl ?? null,
    })),
    shippingAddress: order.shippingAddress,
    shippingMethod: order.shippingOption ?? null,
    totals: {
      subtotalCents: order.subtotalCents,
      shippingCents: order.shippingCents,
      taxCents: order.taxCents,
      totalCents: order.totalCents,
      currency: order.currency,
    },
    instructions:
      instructions ??
      `Buy these items at ${order.storeName} for no more than the total shown, ship them to the address` +
        `${shippingInstruction(order)}, put ${order.orderNumber} in the order note, then complete this task with the ` +
        "retailer's order number.",
  };
}

/** The shopper's shipping choice, in words a person can act on at the retailer's checkout. */
function shippingInstruction(order: PlacementOrder): string {
  const option = order.shippingOption;
  if (!option) return '';
  const estimate = option.deliveryEstimate
    ? `, ${option.deliveryEstimate.minDays}–${option.deliveryEstimate.maxDays} days`
    : '';
  return ` by ${option.name.toUpperCase()} shipping (the shopper chose "${option.name}"${estimate}; choose the same there)`;
}

/**
 * Placement by people: opens an ops task and leaves the order `placing` until someone completes or fails
 * the task in the ops dashboard. Needs no configuration.
 */
export function createManualPlacementAdapter(tasks: OpsTaskPort): PlacementAdapter {
  return {
    method: 'manual',
    async place(order): Promise<PlacementOutcome> {
      const { taskId } = await tasks.openPlacementTask(order, manualTaskPayload(order));
      return { kind: 'deferred', taskId, details: { taskId } };
    },
    /**
     * The retailer only ever gets a manual order from a person, and people record what they did on the task: a
     * completed task is the purchase; a live one means someone may be buying it right now, which only they know;
     * no task that recorded a purchase and none still live means nobody bought it.
     */
    async lookup(order): Promise<LookupOutcome> {
      const purchase = await tasks.findPurchase(order.orderNumber);
      if (purchase.kind === 'bought') {
        const { taskId, storeOrderNumber, resolvedAt } = purchase;
        return {
          kind: 'placed',
          result: { kind: 'placed', storeOrderNumber, placedAt: resolvedAt, details: { taskId, foundBy: 'ops_task' } },
        };
      }
      if (purchase.kind === 'in_hand') {
        const who = purchase.claimedBy ? `claimed by ${purchase.claimedBy}` : 'open';
        return {
          kind: 'unknown',
          reason: `ops task ${purchase.taskId} is ${who}: a person may be buying the order now`,
        };
      }
      return { kind: 'not_placed', evidence: 'no ops task recorded buying the order, and none is open' };
    },
    validateConfig(config): Record<string, string> {
      return config === undefined || (typeof config === 'object' && config !== null && !Array.isArray(config))
        ? {}
        : { '': 'must be an object' };
    },
  };
}
