import { z } from 'zod';
import { ORDER_STATUSES } from '../../domain/order-status';
import { pagination } from './common';

export const TaskIdParam = z.object({
  taskId: z.string().regex(/^task_[A-Za-z0-9]{1,64}$/, 'must be a task id (task_…)'),
});

export const TaskListQuery = pagination.extend({
  status: z.enum(['open', 'claimed', 'done', 'failed', 'cancelled']).optional(),
});

export const CompleteTaskInput = z
  .object({ storeOrderNumber: z.string().trim().min(1, 'the retailer’s order number is required').max(100) })
  .strict()
  .meta({ id: 'CompleteTaskInput' });

export const FailTaskInput = z
  .object({ reason: z.string().trim().min(3).max(500) })
  .strict()
  .meta({ id: 'FailTaskInput' });

export const OpsOrderListQuery = pagination.extend({
  status: z.enum(ORDER_STATUSES).optional(),
  disputed: z
    .enum(['open', 'any'])
    .optional()
    .meta({ description: 'Only orders a dispute concerns: still open, or ever' }),
});

export const RetryOrderInput = z
  .object({ placementMethod: z.enum(['api', 'headless', 'manual']).optional() })
  .strict()
  .meta({ id: 'RetryOrderInput' });

export const OpsTask = z
  .object({
    taskId: z.string(),
    orderNumber: z.string(),
    kind: z.enum(['place_order', 'price_review', 'cancel_order']),
    status: z.enum(['open', 'claimed', 'done', 'failed', 'cancelled']),
    payload: z.record(z.string(), z.unknown()),
    claimedBy: z.string().nullable(),
    claimedAt: z.iso.datetime().nullable(),
    resolvedBy: z.string().nullable(),
    resolvedAt: z.iso.datetime().nullable(),
    storeOrderNumber: z.string().nullable(),
    failureReason: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'OpsTask' });
