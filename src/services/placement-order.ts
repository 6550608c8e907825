import type { PlacementOrder } from '../placement/placement-adapter';
import type { OrderItemRecord, OrderRecord } from '../repositories/orders-repository';

/** What an adapter is given to buy: the order's frozen snapshot, never the live catalog. */
export function toPlacementOrder(order: OrderRecord, items: readonly OrderItemRecord[]): PlacementOrder {
  return {
    orderNumber: order.orderNumber,
    storeSlug: order.storeSlug,
    storeName: order.storeName,
    currency: order.currency,
    shippingAddress: order.shippingAddress,
    subtotalCents: order.subtotalCents,
    shippingCents: order.shippingCents,
    taxCents: order.taxCents,
    totalCents: order.totalCents,
    items: items.map((item) => ({
      orderItemId: item.id,
      sku: item.sku,
      name: item.name,
      quantity: item.quantity,
      size: item.size || undefined,
      color: item.color || undefined,
      unitPriceCents: item.unitPriceCents,
      totalPriceCents: item.totalPriceCents,
      productUrl: item.productUrl ?? undefined,
      imageUrl: item.imageUrl ?? undefined,
    })),
  };
}
