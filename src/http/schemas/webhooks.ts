import { z } from 'zod';
import { ORDER_STATUSES } from '../../domain/order-status';

export const RetailerEventInput = z
  .object({
    id: z.string().min(1).max(255),
    type: z.enum(['order.confirmed', 'order.shipped', 'order.delivered', 'order.cancelled']),
    data: z.object({
      storeOrderNumber: z.string().min(1).max(100),
      trackingNumber: z.string().min(1).max(100).optional(),
      carrier: z.string().min(1).max(50).optional(),
      estimatedDelivery: z.iso.date().optional(),
    }),
  })
  .meta({ id: 'RetailerEvent' });

const receipt = {
  eventId: z.string(),
  duplicate: z.boolean().meta({ description: 'Received before: nothing was done again' }),
  outcome: z.enum(['applied', 'ignored']),
  note: z.string().optional().meta({ description: 'Why the event was ignored' }),
};

export const RetailerEventReceipt = z
  .object({
    ...receipt,
    outcome: receipt.outcome.meta({ description: 'On a duplicate, what became of the first delivery' }),
    orderNumber: z.string().optional().meta({ description: 'The order the event was about (not on a duplicate)' }),
    status: z
      .enum(ORDER_STATUSES)
      .optional()
      .meta({ description: 'The order’s status afterwards (not on a duplicate)' }),
  })
  .meta({ id: 'RetailerEventReceipt' });

export const StripeEventReceipt = z
  .object({ ...receipt, outcome: receipt.outcome.meta({ description: 'A duplicate is always ignored' }) })
  .meta({ id: 'StripeEventReceipt' });
