import type { OrderItemRecord, OrderRecord } from '../domain/order';
import { variantFromRow } from './variant-columns';

/** How orders and their items are read from rows: the columns every order statement selects, and the mapping. */

/** What `toOrder` reads, named rather than `o.*` so the prepared statements below keep their result type. */
export const ORDER_TABLE_COLUMNS = [
  'id',
  'order_number',
  'checkout_session_id',
  'store_id',
  'user_id',
  'status',
  'placement_method',
  'currency',
  'subtotal_cents',
  'shipping_cents',
  'tax_cents',
  'total_cents',
  'discount_cents',
  'shipping_discount_cents',
  'full_price_total_cents',
  'shipping_option',
  'promotion_code',
  'shipping_address',
  'store_order_number',
  'retailer_total_cents',
  'tracking_number',
  'carrier',
  'estimated_delivery',
  'failure_reason',
  'placed_at',
  'created_at',
  'updated_at',
];

export const ORDER_COLUMNS = [
  ...ORDER_TABLE_COLUMNS.map((column) => `o.${column}`),
  's.name as store_name',
  's.slug as store_slug',
];

export const ITEM_COLUMNS = [
  'id',
  'order_id',
  'product_id',
  'sku',
  'name',
  'size',
  'color',
  'product_url',
  'image_url',
  'quantity',
  'unit_price_cents',
  'total_price_cents',
  'status',
  'refunded_quantity',
];

export const toOrder = (row: Record<string, any>): OrderRecord => ({
  id: row.id,
  orderNumber: row.order_number,
  checkoutSessionId: row.checkout_session_id,
  storeId: row.store_id,
  storeName: row.store_name,
  storeSlug: row.store_slug,
  userId: row.user_id,
  status: row.status,
  placementMethod: row.placement_method,
  currency: row.currency,
  subtotalCents: row.subtotal_cents,
  shippingCents: row.shipping_cents,
  taxCents: row.tax_cents,
  totalCents: row.total_cents,
  discountCents: row.discount_cents,
  shippingDiscountCents: row.shipping_discount_cents,
  fullPriceTotalCents: row.full_price_total_cents,
  shippingOption: row.shipping_option,
  promotionCode: row.promotion_code,
  shippingAddress: row.shipping_address,
  storeOrderNumber: row.store_order_number,
  retailerTotalCents: row.retailer_total_cents,
  trackingNumber: row.tracking_number,
  carrier: row.carrier,
  estimatedDelivery: row.estimated_delivery,
  failureReason: row.failure_reason,
  placedAt: row.placed_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export const toItem = (row: Record<string, any>): OrderItemRecord => ({
  id: row.id,
  orderId: row.order_id,
  productId: row.product_id,
  sku: row.sku,
  name: row.name,
  ...variantFromRow(row),
  productUrl: row.product_url,
  imageUrl: row.image_url,
  quantity: row.quantity,
  unitPriceCents: row.unit_price_cents,
  totalPriceCents: row.total_price_cents,
  status: row.status,
  refundedQuantity: row.refunded_quantity,
});

export const ITEM_JSON = `json_build_object(${ITEM_COLUMNS.map((column) => `'${column}', i.${column}`).join(', ')})`;
