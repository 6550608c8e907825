import { z } from 'zod';

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
