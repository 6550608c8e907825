import type { SnapshotStore } from '../domain/cart-snapshot';
import { newOrderNumber } from '../domain/ids';
import type { CheckoutSessionRecord } from '../domain/checkout-session';
import type { NewOrder } from '../domain/order';

/** One store of the frozen snapshot as the order we place with that store: its items, totals and our `MO-…` number. */
export function toNewOrder(session: CheckoutSessionRecord, store: SnapshotStore): NewOrder {
  return {
    orderNumber: newOrderNumber(),
    checkoutSessionId: session.id,
    storeId: store.storeId,
    userId: session.userId,
    placementMethod: store.placementMethod,
    currency: session.currency,
    subtotalCents: store.subtotalCents,
    shippingCents: store.shippingCents,
    taxCents: store.taxCents,
    totalCents: store.totalCents,
    discountCents: store.discountCents ?? 0,
    shippingDiscountCents: store.shippingDiscountCents ?? 0,
    fullPriceTotalCents: store.fullPriceTotalCents ?? store.totalCents,
    shippingOption: store.shippingOption ?? null,
    promotionCode: store.discountCents ? (session.cartSnapshot.promotion?.code ?? null) : null,
    shippingAddress: session.shippingAddress!,
    items: store.items.map((item) => ({
      productId: item.productId,
      sku: item.sku,
      name: item.name,
      size: item.size,
      color: item.color,
      productUrl: item.productUrl,
      imageUrl: item.imageUrl,
      quantity: item.quantity,
      unitPriceCents: item.unitPriceCents,
      totalPriceCents: item.totalPriceCents,
    })),
  };
}
