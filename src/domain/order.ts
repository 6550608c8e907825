import type { ShippingAddress } from './address';
import type { LineVariant } from './line-item';
import type { ShippingChoice } from './cart-snapshot';
import type { OrderStatus } from './order-status';
import type { PlacementMethod } from './placement-method';

/** One store's part of a checkout, bought from that store's retailer. */
export interface OrderRecord {
  id: string;
  orderNumber: string;
  checkoutSessionId: string;
  storeId: string;
  storeName: string;
  storeSlug: string;
  userId: string;
  status: OrderStatus;
  placementMethod: PlacementMethod;
  currency: string;
  subtotalCents: number;
  shippingCents: number;
  taxCents: number;
  totalCents: number;
  /** The promo code's share of this order, items and waived shipping (`shippingDiscountCents`) together. */
  discountCents: number;
  shippingDiscountCents: number;
  /** What the retailer charges us at full price; null for orders from before discounts (then `totalCents`). */
  fullPriceTotalCents: number | null;
  /** The shopper's shipping choice for this store, frozen at place. */
  shippingOption: ShippingChoice | null;
  promotionCode: string | null;
  shippingAddress: ShippingAddress;
  storeOrderNumber: string | null;
  retailerTotalCents: number | null;
  trackingNumber: string | null;
  carrier: string | null;
  estimatedDelivery: string | null;
  failureReason: string | null;
  placedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface OrderItemRecord extends LineVariant {
  id: string;
  orderId: string;
  productId: string;
  sku: string;
  name: string;
  productUrl: string | null;
  imageUrl: string | null;
  quantity: number;
  unitPriceCents: number;
  totalPriceCents: number;
  status: string;
  refundedQuantity: number;
}

export interface StatusHistoryRecord {
  fromStatus: OrderStatus | null;
  toStatus: OrderStatus;
  reason: string | null;
  createdAt: Date;
}

export interface NewOrder {
  orderNumber: string;
  checkoutSessionId: string;
  storeId: string;
  userId: string;
  placementMethod: PlacementMethod;
  currency: string;
  subtotalCents: number;
  shippingCents: number;
  taxCents: number;
  totalCents: number;
  discountCents?: number;
  shippingDiscountCents?: number;
  fullPriceTotalCents?: number | null;
  shippingOption?: ShippingChoice | null;
  promotionCode?: string | null;
  shippingAddress: ShippingAddress;
  items: Omit<OrderItemRecord, 'id' | 'orderId' | 'status' | 'refundedQuantity'>[];
}

/** The fields a status change may set along with the status itself. */
export interface OrderChanges {
  storeOrderNumber?: string;
  retailerTotalCents?: number;
  placementMethod?: PlacementMethod;
  trackingNumber?: string;
  carrier?: string;
  estimatedDelivery?: string | null;
  failureReason?: string | null;
  placedAt?: Date;
}
