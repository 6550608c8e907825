import { z } from 'zod';
import { ORDER_NUMBER_PATTERN } from '../../domain/ids';
import { ORDER_STATUSES } from '../../domain/order-status';
import { OrderSummary } from './checkout';

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
  status: z.enum(ORDER_STATUSES),
  currency: z.string().meta({ description: 'Lower-case ISO 4217 code of the store the order is with', example: 'usd' }),
  storeOrderNumber: z.string().nullable(),
  subtotalCents: z.number().int(),
  shippingCents: z.number().int(),
  taxCents: z.number().int(),
  trackingNumber: z.string().nullable(),
  carrier: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
}).meta({ id: 'OrderListItem' });
