import { FLAT_RULE_OPTION_ID } from '../domain/cart-snapshot';
import type { PlacementOrder } from '../placement/placement-adapter';
import type { OrderItemRecord, OrderRecord } from '../domain/order';

/**
 * What an adapter is given to buy: the order's frozen snapshot, never the live catalog, at full price (we fund any
 * discount, so the retailer's total is the undiscounted one) with the shopper's shipping choice.
 */
export function toPlacementOrder(order: OrderRecord, items: readonly OrderItemRecord[]): PlacementOrder {
  const fullPriceTotalCents = order.fullPriceTotalCents ?? order.totalCents;
  return {
    orderNumber: order.orderNumber,
    storeSlug: order.storeSlug,
    storeName: order.storeName,
    currency: order.currency,
    shippingAddress: order.shippingAddress,
    subtotalCents: order.subtotalCents,
    shippingCents: order.shippingCents,
    taxCents: fullPriceTotalCents - order.subtotalCents - order.shippingCents,
    totalCents: fullPriceTotalCents,
    // The flat rule's option is ours, not a method the retailer knows: the retailer ships its default way.
    shippingOption: order.shippingOption?.id === FLAT_RULE_OPTION_ID ? null : order.shippingOption,
    shopperTotalCents: order.totalCents,
    discountCents: order.discountCents,
    items: items.map((item) => ({
      orderItemId: item.id,
      sku: item.sku,
      name: item.name,
      quantity: item.quantity,
      size: item.size ?? undefined,
      color: item.color ?? undefined,
      unitPriceCents: item.unitPriceCents,
      totalPriceCents: item.totalPriceCents,
      productUrl: item.productUrl ?? undefined,
      imageUrl: item.imageUrl ?? undefined,
    })),
  };
}
