import { z } from 'zod';
import { pagination } from './common';

export const RunIdParam = z.object({ runId: z.string().regex(/^[0-9]{1,18}$/, 'must be a reconciliation run id') });

export const RunListQuery = pagination;

const DriftByKind = z.record(z.string(), z.number().int()).meta({
  description:
    'How many differences of each kind: payment_missing_in_ledger, payment_missing_at_stripe, payment_amount_drift, payment_status_drift, refund_missing_in_ledger, refund_missing_at_stripe, refund_amount_drift, refund_status_drift, order_balance_drift',
});

export const ReconciliationRun = z
  .object({
    runId: z.string(),
    periodStart: z.iso.datetime(),
    periodEnd: z.iso.datetime(),
    trigger: z.enum(['daily', 'manual']),
    status: z.enum(['running', 'finished', 'failed']),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime().nullable(),
    driftCount: z.number().int().nullable(),
    driftByKind: DriftByKind.nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: 'ReconciliationRun' });

export const Drift = z
  .object({
    kind: z.string(),
    message: z.string(),
    paymentIntentId: z.string().optional(),
    refundId: z.string().optional(),
    checkoutSessionId: z.string().optional(),
    stripe: z.record(z.string(), z.unknown()).optional(),
    ledger: z.record(z.string(), z.unknown()).optional(),
    orders: z
      .array(z.object({ orderNumber: z.string(), takenCents: z.number().int(), refundedCents: z.number().int() }))
      .optional(),
  })
  .meta({ id: 'ReconciliationDrift' });

export const ReconciliationRunDetail = ReconciliationRun.extend({
  report: z
    .object({
      period: z.object({ since: z.iso.datetime(), until: z.iso.datetime() }),
      stripe: z.object({ paymentIntents: z.number().int(), refunds: z.number().int() }),
      ledger: z.object({ paymentIntents: z.number().int(), refundRows: z.number().int(), checkouts: z.number().int() }),
      driftCount: z.number().int(),
      driftByKind: DriftByKind,
      drift: z.array(Drift).meta({ description: 'The first 500 differences' }),
      truncated: z.boolean(),
      durationMs: z.number().int(),
    })
    .nullable(),
}).meta({ id: 'ReconciliationRunDetail' });
