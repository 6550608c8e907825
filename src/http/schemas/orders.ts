import { z } from 'zod';
import { ORDER_NUMBER_PATTERN } from '../../domain/ids';

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
