import type { PlacementAdapter, PlacementOrder, PlacementOutcome } from './placement-adapter';

/** Where manual placement hands work to people. The ops-task service implements it. */
export interface OpsTaskPort {
  /** Opens (or finds the live) task for the order; idempotent per order. */
  openPlacementTask(order: PlacementOrder, payload: ManualTaskPayload): Promise<{ taskId: string }>;
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
    totals: {
      subtotalCents: order.subtotalCents,
      shippingCents: order.shippingCents,
      taxCents: order.taxCents,
      totalCents: order.totalCents,
      currency: order.currency,
    },
    instructions:
      instructions ??
      `Buy these items at ${order.storeName} for no more than the total shown, ship them to the address, ` +
        `put ${order.orderNumber} in the order note, then complete this task with the retailer's order number.`,
  };
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
    validateConfig(config): Record<string, string> {
      return config === undefined || (typeof config === 'object' && config !== null && !Array.isArray(config))
        ? {}
        : { '': 'must be an object' };
    },
  };
}
