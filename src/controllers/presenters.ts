import { SHOPPER_FAILURE_REASON, shopperReason } from './shopper-words';
import type { CartView } from '../services/cart-service';
import type { CheckoutSessionView } from '../services/checkout-service';
import type { OrderDetail } from '../services/orders-service';
import type { PlaceResult } from '../services/place-checkout-service';
import type { ProductRecord } from '../domain/product';
import type { StoreRecord } from '../domain/store';
import type { OrderRecord } from '../domain/order';
import type { OrderDispute } from '../domain/dispute';
import type { Promotion } from '../domain/promotion';
import type { PromotionWithUses } from '../domain/promotion';

/** The contract's JSON shapes. Nothing here reads storage or decides anything. */

export const presentStore = (store: StoreRecord) => ({
  storeId: store.id,
  slug: store.slug,
  name: store.name,
  placementMethod: store.placementMethod,
  fallbackMethod: store.fallbackMethod,
  currency: store.currency,
  shipping: { flatCents: store.shippingFlatCents, freeAboveCents: store.shippingFreeAboveCents },
  priceToleranceCents: store.priceToleranceCents,
});

/** What admins see: the public view plus whether secrets are set (never the secrets themselves). */
export const presentStoreForAdmin = (store: StoreRecord) => ({
  ...presentStore(store),
  placementConfigKeys: Object.keys(store.placementConfig),
  hasWebhookSecret: store.webhookSecret !== null,
});

export const presentProduct = (product: ProductRecord, store: StoreRecord) => ({
  productId: product.id,
  storeId: product.storeId,
  storeSlug: store.slug,
  sku: product.sku,
  name: product.name,
  priceCents: product.priceCents,
  productUrl: product.productUrl,
  imageUrl: product.imageUrl,
  available: product.available,
});

export const presentCart = (cart: CartView) => ({
  items: cart.lines.map((line) => ({
    id: line.id,
    storeId: line.storeId,
    storeName: line.storeName,
    sku: line.sku,
    name: line.name,
    size: line.size,
    color: line.color,
    quantity: line.quantity,
    unitPriceCents: line.unitPriceCents,
    totalPriceCents: line.unitPriceCents * line.quantity,
    available: line.available,
    // The catalog's price moved since the line was added (a sync or an admin): the cart shows today's price.
    addedUnitPriceCents: line.addedUnitPriceCents ?? line.unitPriceCents,
    priceChanged: line.addedUnitPriceCents !== null && line.addedUnitPriceCents !== line.unitPriceCents,
  })),
  summary: { itemCount: cart.itemCount, subtotalCents: cart.subtotalCents },
  promotion: cart.promotion ? presentCodeTerms(cart.promotion) : null,
});

/** A promo code as a shopper sees it: what it gives, not its limits. */
export const presentCodeTerms = (promotion: Promotion) => ({
  code: promotion.code,
  kind: promotion.kind,
  amountCents: promotion.amountCents,
  percentOff: promotion.percentOff,
  minSubtotalCents: promotion.minSubtotalCents,
  description: promotion.description,
});

export const presentPromotion = (promotion: PromotionWithUses) => ({
  ...presentCodeTerms(promotion),
  firstOrderOnly: promotion.firstOrderOnly,
  perCustomerLimit: promotion.perCustomerLimit,
  totalLimit: promotion.totalLimit,
  startsAt: promotion.startsAt?.toISOString() ?? null,
  endsAt: promotion.endsAt?.toISOString() ?? null,
  active: promotion.active,
  uses: promotion.uses,
  redeemed: promotion.redeemed,
});

export const presentOrderSummary = (order: OrderRecord) => ({
  orderNumber: order.orderNumber,
  storeId: order.storeId,
  storeName: order.storeName,
  placementMethod: order.placementMethod,
  status: order.status,
  totalCents: order.totalCents,
});

export const presentSession = ({ session, status, orders }: CheckoutSessionView) => ({
  sessionId: session.id,
  status,
  cartSnapshot: session.cartSnapshot,
  shippingAddress: session.shippingAddress,
  paymentMethodId: session.paymentMethodId,
  paymentIntentId: session.paymentIntentId,
  expiresAt: session.expiresAt.toISOString(),
  createdAt: session.createdAt.toISOString(),
  ...(orders ? { orders: orders.map(presentOrderSummary) } : {}),
});

export const presentPlaceResult = ({ session, orders, payment }: PlaceResult) => ({
  checkoutSessionId: session.id,
  paymentIntentId: session.paymentIntentId!,
  chargedCents: payment === 'charged' ? session.totalCents : 0,
  ...(payment === 'authorized' ? { authorizedCents: session.totalCents } : {}),
  orders: orders.map(presentOrderSummary),
  summary: { totalOrders: orders.length },
});

export const presentOrderListItem = (order: OrderRecord) => ({
  ...presentOrderSummary(order),
  currency: order.currency,
  storeOrderNumber: order.storeOrderNumber,
  subtotalCents: order.subtotalCents,
  shippingCents: order.shippingCents,
  taxCents: order.taxCents,
  discountCents: order.discountCents,
  trackingNumber: order.trackingNumber,
  carrier: order.carrier,
  createdAt: order.createdAt.toISOString(),
  updatedAt: order.updatedAt.toISOString(),
});

/** A dispute as ops see it with one of the orders it concerns. */
export const presentDispute = (dispute: OrderDispute) => ({
  disputeId: dispute.id,
  status: dispute.status,
  reason: dispute.reason,
  amountCents: dispute.orderAmountCents,
  disputedCents: dispute.amountCents,
  currency: dispute.currency,
  attribution: dispute.attribution,
  paymentIntentId: dispute.paymentIntentId,
  openedAt: dispute.openedAt.toISOString(),
  closedAt: dispute.closedAt?.toISOString() ?? null,
});

/** Staff (ops, admin) read the recorded reasons; a shopper reads shopper words (shopper-words.ts). */
export type Audience = 'shopper' | 'staff';

export const presentOrderDetail = (
  { order, items, history, refundedCents, disputes }: OrderDetail,
  audience: Audience,
) => ({
  ...presentOrderListItem(order),
  checkoutSessionId: order.checkoutSessionId,
  storeSlug: order.storeSlug,
  shippingAddress: order.shippingAddress,
  retailerTotalCents: order.retailerTotalCents,
  fullPriceTotalCents: order.fullPriceTotalCents ?? order.totalCents,
  promotionCode: order.promotionCode,
  shippingOption: order.shippingOption,
  estimatedDelivery: order.estimatedDelivery,
  failureReason: audience === 'staff' || order.failureReason === null ? order.failureReason : SHOPPER_FAILURE_REASON,
  placedAt: order.placedAt?.toISOString() ?? null,
  refundedCents,
  items: items.map((item) => ({
    orderItemId: item.id,
    sku: item.sku,
    name: item.name,
    size: item.size,
    color: item.color,
    quantity: item.quantity,
    unitPriceCents: item.unitPriceCents,
    totalPriceCents: item.totalPriceCents,
    productUrl: item.productUrl,
    imageUrl: item.imageUrl,
    status: item.status,
    refundedQuantity: item.refundedQuantity,
  })),
  statusHistory: history.map((entry) => ({
    fromStatus: entry.fromStatus,
    toStatus: entry.toStatus,
    reason: audience === 'staff' ? entry.reason : shopperReason(entry.toStatus),
    createdAt: entry.createdAt.toISOString(),
  })),
  ...(disputes ? { disputes: disputes.map(presentDispute) } : {}),
});
