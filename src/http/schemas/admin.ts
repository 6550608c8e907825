import { z } from 'zod';
import { cents } from './common';

export const RefundInput = z
  .object({
    amountCents: cents.min(1, 'must be at least 1 cent').optional(),
    items: z
      .array(
        z
          .object({ orderItemId: z.uuid('must be an order item id'), quantity: z.number().int().min(1).max(99) })
          .strict(),
      )
      .min(1)
      .max(100)
      .optional(),
    reason: z.string().trim().min(3, 'say why (at least 3 characters)').max(500),
  })
  .strict()
  .refine((input) => input.amountCents === undefined || input.items === undefined, {
    path: ['amountCents'],
    message: 'send amountCents or items, not both: items are refunded at their own price',
  })
  .meta({
    id: 'RefundInput',
    description:
      'Neither amountCents nor items: the whole refundable remainder. Items: what the shopper paid for them (snapshot price less their share of a promo discount, plus their share of tax).',
  });

export const CancelOrderInput = z
  .object({ reason: z.string().trim().min(3).max(500) })
  .strict()
  .meta({ id: 'CancelOrderInput' });

export const Refund = z
  .object({
    refundId: z.string().nullable(),
    transactionId: z.string(),
    amountCents: z.number().int(),
    status: z.enum(['pending', 'succeeded', 'failed']),
  })
  .meta({ id: 'Refund' });
