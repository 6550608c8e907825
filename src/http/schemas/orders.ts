import { z } from 'zod';
import { ORDER_NUMBER_PATTERN } from '../../domain/ids';
import { ORDER_ITEM_STATUSES, ORDER_STATUSES } from '../../domain/order-status';
import { lineItemFields, productLinkFields } from './common';
import { OrderSummary, ShippingAddress } from './checkout';

const OrderStatus = z.enum(ORDER_STATUSES);

export const OrderNumberParam = z.object({
  orderNumber: z.string().regex(ORDER_NUMBER_PATTERN, 'must be an order number like MO-7K2Q9X4M1B'),
});

export const TrackingInput = z
  .object({
    trackingNumber: z.string().trim().min(3).max(100),
    carrier: z.string().trim().min(2).max(50),
    estimatedDelivery: z.iso.date('must be a date like 2026-12-01').optional(),
  })
  .strict()
  .meta({ id: 'TrackingInput' });

/** An order in a list (`GET /orders`, `GET /ops/orders`); the detail adds items, history, address and refunds. */
export const OrderListItem = OrderSummary.extend({
  currency: z.string().meta({ description: 'Lower-case ISO 4217 code of the store the order is with', example: 'usd' }),
  storeOrderNumber: z.string().nullable(),
  subtotalCents: z.number().int(),
  shippingCents: z.number().int(),
  taxCents: z.number().int(),
  discountCents: z
    .number()
    .int()
    .meta({ description: 'Our promo discount on this order: totalCents = subtotal + shipping + tax − discount' }),
  trackingNumber: z.string().nullable(),
  carrier: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
}).meta({ id: 'OrderListItem' });

export const OrderDispute = z
  .object({
    disputeId: z.string().meta({ example: 'dp_1Nx…' }),
    status: z.string().meta({
      description: "Stripe's dispute status: warning_needs_response, needs_response, under_review, won, lost, …",
    }),
    reason: z
      .string()
      .nullable()
      .meta({ description: "The cardholder's bank's reason, e.g. fraudulent, product_not_received" }),
    amountCents: z.number().int().meta({ description: 'The part of the dispute that falls to this order' }),
    disputedCents: z
      .number()
      .int()
      .meta({ description: 'The whole dispute, over every order of the checkout it concerns' }),
    currency: z.string(),
    attribution: z.enum(['whole_order', 'spread']).meta({
      description:
        'whole_order: the amount was what this order had left; spread: shared over the orders by what each had left',
    }),
    paymentIntentId: z.string(),
    openedAt: z.iso.datetime(),
    closedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'OrderDispute' });

/** `GET /ops/orders`: orders with the disputes that concern them. */
export const OpsOrderListItem = OrderListItem.extend({ disputes: z.array(OrderDispute) }).meta({
  id: 'OpsOrderListItem',
});

export const OrdersPage = z
  .object({
    checkoutSessions: z.array(
      z.object({
        checkoutSessionId: z.string(),
        checkoutDate: z.iso.datetime(),
        totalCents: z.number().int(),
        orders: z.array(OrderListItem),
      }),
    ),
    totalOrders: z.number().int(),
    totalCheckoutSessions: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  })
  .meta({ id: 'OrdersPage' });

export const OrderItem = z
  .object({
    orderItemId: z.uuid().meta({ description: 'What a refund of items names' }),
    ...lineItemFields,
    ...productLinkFields,
    status: z.enum(ORDER_ITEM_STATUSES),
    refundedQuantity: z.number().int().meta({ description: 'How many of `quantity` refunds have returned' }),
  })
  .meta({ id: 'OrderItem' });

export const OrderStatusChange = z
  .object({
    fromStatus: OrderStatus.nullable().meta({ description: 'null for the status the order was created in' }),
    toStatus: OrderStatus,
    reason: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'OrderStatusChange' });

export const OrderDetail = OrderListItem.extend({
  checkoutSessionId: z.string(),
  storeSlug: z.string(),
  shippingAddress: ShippingAddress,
  retailerTotalCents: z
    .number()
    .int()
    .nullable()
    .meta({ description: 'What the retailer said it charged, when it said' }),
  fullPriceTotalCents: z
    .number()
    .int()
    .meta({ description: 'What the retailer is paid: full price, as we fund any discount' }),
  promotionCode: z.string().nullable(),
  shippingOption: z
    .object({
      id: z.string(),
      name: z.string(),
      priceCents: z.number().int(),
      deliveryEstimate: z.object({ minDays: z.number().int(), maxDays: z.number().int() }).nullable(),
    })
    .nullable()
    .meta({ description: 'The shipping the shopper chose for this store' }),
  estimatedDelivery: z.iso.date().nullable(),
  failureReason: z.string().nullable(),
  placedAt: z.iso.datetime().nullable(),
  refundedCents: z.number().int().meta({ description: 'Refunds that succeeded or are still pending' }),
  items: z.array(OrderItem),
  statusHistory: z.array(OrderStatusChange).meta({ description: 'Oldest first' }),
  disputes: z
    .array(OrderDispute)
    .optional()
    .meta({ description: 'Ops and admins only: disputes that concern the order, newest first' }),
}).meta({ id: 'OrderDetail' });

export const OrderStats = z
  .object({
    totalOrders: z.number().int(),
    totalSpentCents: z.number().int().meta({ description: 'Charged less refunded' }),
    byStatus: z
      .partialRecord(OrderStatus, z.number().int())
      .meta({ description: 'Order count per status; a status with none is left out' }),
    stores: z
      .array(
        z.object({
          storeId: z.string(),
          storeName: z.string(),
          orders: z.number().int(),
          totalCents: z.number().int(),
        }),
      )
      .meta({ description: 'Most orders first' }),
  })
  .meta({ id: 'OrderStats' });
