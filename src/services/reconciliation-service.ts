import type { Period, ProviderPayment, ProviderRefund } from '../payments/payment-gateway';
import * as runs from '../repositories/reconciliation-repository';
import type { LedgerMovement } from '../repositories/reconciliation-repository';
import type { ReconciliationRun } from '../domain/reconciliation';
import {
  compareOrders,
  comparePayment,
  compareRefund,
  DRIFT_KINDS,
  type Drift,
  type DriftKind,
} from './reconciliation-compare';
import type { ServiceDeps } from './service-deps';

export interface ReconciliationReport {
  period: { since: string; until: string };
  stripe: { paymentIntents: number; refunds: number };
  ledger: { paymentIntents: number; refundRows: number; checkouts: number };
  driftCount: number;
  driftByKind: Record<DriftKind, number>;
  /** The first MAX_DRIFT_LISTED items; `driftCount` counts them all. */
  drift: Drift[];
  truncated: boolean;
  durationMs: number;
}

const MAX_DRIFT_LISTED = 500;
const DAY_MS = 24 * 60 * 60 * 1000;
/** The daily run waits this long after midnight (UTC) so the day's last webhooks and refunds have settled. */
const DAILY_DELAY_MS = 30 * 60 * 1000;
/** A daily run still `running` after this long was left by a dead process and is taken over. */
const RUN_STALE_MS = 30 * 60 * 1000;

const groupBy = <T>(items: readonly T[], key: (item: T) => string | null): Map<string, T[]> => {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k !== null) groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
};

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/**
 * Compares what Stripe holds for a period with the ledger: every PaymentIntent and refund Stripe created in it
 * (listed with stripe-node's auto-pagination), the ledger's rows for them, and each checkout's orders (taken less
 * refunded) against its payment (captured less refunded). It reports drift to ops and changes nothing: a person
 * decides what a difference means. Ledger reads are a few batched queries whatever the size of the day.
 */
export function createReconciliationService(deps: ServiceDeps) {
  const { db, payments, clock, logger } = deps;
  /** The day whose daily run this instance finished: no need to ask the database again until the next one. */
  let dailyDoneFor: number | null = null;

  async function compareRefunds(
    refunds: ProviderRefund[],
    period: Period,
    sessionOf: (paymentIntentId: string) => string | undefined,
  ): Promise<{ drift: Drift[]; rows: number }> {
    const keys = refunds.flatMap((refund) => (refund.idempotencyKey ? [refund.idempotencyKey] : []));
    const rows = await runs.refundMovements(
      db,
      refunds.map((refund) => refund.refundId),
      keys,
    );
    const byRefund = groupBy(rows, (row) => row.stripeRefundId);
    const byKey = new Map(rows.map((row) => [row.idempotencyKey, row]));
    const drift: Drift[] = [];
    for (const refund of refunds) {
      const own = refund.idempotencyKey ? byKey.get(refund.idempotencyKey) : undefined;
      const recorded = byRefund.get(refund.refundId) ?? (own ? [own] : []);
      const ours =
        recorded.length > 0 ||
        refund.idempotencyKey !== null ||
        (refund.paymentIntentId !== null && sessionOf(refund.paymentIntentId) !== undefined);
      const found = compareRefund(refund, recorded, ours);
      if (found) drift.push(found);
    }
    // Refunds the ledger recorded in the period that Stripe did not list: created at Stripe in another period, or unknown to it.
    const listed = new Set(refunds.map((refund) => refund.refundId));
    const unlisted = (await runs.refundMovementsRecordedIn(db, period.since, period.until)).filter(
      (row) => !(row.stripeRefundId && listed.has(row.stripeRefundId)) && !byKey.has(row.idempotencyKey),
    );
    for (const [refundId, recorded] of groupBy(unlisted, (row) => row.stripeRefundId ?? `key:${row.idempotencyKey}`)) {
      const found = refundId.startsWith('key:') ? null : await payments.findRefund(refundId);
      const compared = found ? compareRefund(found, recorded, true) : missingAtStripe(recorded);
      if (compared) drift.push(compared);
    }
    return { drift, rows: rows.length };
  }

  async function reconcile(period: Period): Promise<ReconciliationReport> {
    const started = Date.now();
    const [stripePayments, stripeRefunds] = await Promise.all([
      collect(payments.listPayments(period)),
      collect(payments.listRefunds(period)),
    ]);
    const intentIds = [
      ...new Set([
        ...stripePayments.map((payment) => payment.paymentIntentId),
        ...stripeRefunds.flatMap((refund) => refund.paymentIntentId ?? []),
      ]),
    ];
    const [named, movements] = await Promise.all([
      runs.sessionsByPaymentIntent(db, intentIds),
      runs.paymentMovements(db, intentIds),
    ]);
    const byIntent = groupBy(movements, (row) => row.stripePaymentIntentId);
    const sessionOf = (intentId: string) =>
      byIntent.get(intentId)?.find((row) => row.status === 'succeeded')?.checkoutSessionId ?? named.get(intentId);

    const drift: Drift[] = [];
    const balanced: { payment: ProviderPayment; sessionId: string }[] = [];
    for (const payment of stripePayments) {
      const sessionId = sessionOf(payment.paymentIntentId);
      const found = comparePayment(payment, byIntent.get(payment.paymentIntentId) ?? [], sessionId);
      if (found) drift.push(found);
      if (sessionId && (payment.status === 'succeeded' || payment.status === 'requires_capture'))
        balanced.push({ payment, sessionId });
    }
    const orders = groupBy(
      await runs.orderBalances(db, [...new Set(balanced.map((entry) => entry.sessionId))]),
      (order) => order.checkoutSessionId,
    );
    for (const { payment, sessionId } of balanced) {
      const found = orders.has(sessionId) ? compareOrders(payment, sessionId, orders.get(sessionId)!) : null;
      if (found) drift.push(found);
    }
    drift.push(
      ...(await paymentsUnknownToStripe(period, new Set(stripePayments.map((payment) => payment.paymentIntentId)))),
    );
    const refunds = await compareRefunds(stripeRefunds, period, sessionOf);
    drift.push(...refunds.drift);

    const driftByKind = Object.fromEntries(
      DRIFT_KINDS.map((kind) => [kind, drift.filter((item) => item.kind === kind).length]),
    ) as Record<DriftKind, number>;
    return {
      period: { since: period.since.toISOString(), until: period.until.toISOString() },
      stripe: { paymentIntents: stripePayments.length, refunds: stripeRefunds.length },
      ledger: { paymentIntents: byIntent.size, refundRows: refunds.rows, checkouts: orders.size },
      driftCount: drift.length,
      driftByKind,
      drift: drift.slice(0, MAX_DRIFT_LISTED),
      truncated: drift.length > MAX_DRIFT_LISTED,
      durationMs: Date.now() - started,
    };
  }

  /** Payments the ledger says it took in the period that Stripe did not list: looked up one by one. */
  async function paymentsUnknownToStripe(period: Period, listed: Set<string>): Promise<Drift[]> {
    const unlisted = (await runs.paymentMovementsRecordedIn(db, period.since, period.until)).filter(
      (row) => !listed.has(row.stripePaymentIntentId!),
    );
    const drift: Drift[] = [];
    for (const [intentId, rows] of groupBy(unlisted, (row) => row.stripePaymentIntentId)) {
      if (await payments.findPayment(intentId)) continue; // created at Stripe in a neighbouring period
      drift.push({
        kind: 'payment_missing_at_stripe',
        message: `The ledger records ${rows.map((row) => `${row.type} ${row.amountCents}`).join(', ')} on a payment Stripe does not have`,
        paymentIntentId: intentId,
        checkoutSessionId: rows[0].checkoutSessionId,
        ledger: { amountCents: rows.reduce((total, row) => total + row.amountCents, 0) },
      });
    }
    return drift;
  }

  /** Runs a reconciliation and records it (report and drift) for ops. */
  async function runAndRecord(
    period: Period,
    trigger: 'daily' | 'manual',
  ): Promise<{ run: ReconciliationRun; report: ReconciliationReport } | null> {
    const now = clock.now();
    const run = await runs.claimRun(
      db,
      { periodStart: period.since, periodEnd: period.until, trigger },
      now,
      new Date(now.getTime() - RUN_STALE_MS),
    );
    if (!run) return null;
    try {
      const report = await reconcile(period);
      await runs.finishRun(db, run.id, { driftCount: report.driftCount, report }, clock.now());
      if (report.driftCount > 0)
        logger.warn(
          { run: run.id, driftByKind: report.driftByKind, period: report.period },
          'reconciliation found drift',
        );
      else
        logger.info(
          { run: run.id, period: report.period, durationMs: report.durationMs },
          'reconciliation: ledger matches Stripe',
        );
      return { run: (await runs.findRun(db, run.id))!, report };
    } catch (error) {
      await runs.failRun(db, run.id, error instanceof Error ? error.message : String(error), clock.now());
      throw error;
    }
  }

  return {
    reconcile,
    runAndRecord,

    /**
     * The daily job: yesterday (UTC) once the day is DAILY_DELAY_MS old, claimed once across every instance.
     * Null when it is not due, already done, or another instance holds it.
     */
    async runDailyIfDue(): Promise<{ run: ReconciliationRun; report: ReconciliationReport } | null> {
      const now = clock.now().getTime();
      const today = Math.floor(now / DAY_MS) * DAY_MS;
      if (now - today < DAILY_DELAY_MS || dailyDoneFor === today) return null;
      const done = await runAndRecord({ since: new Date(today - DAY_MS), until: new Date(today) }, 'daily');
      // This instance ran it; another instance's run is seen by the claim (one statement per tick) until it finishes.
      if (done) dailyDoneFor = today;
      return done;
    },

    async listRuns(limit: number, offset: number): Promise<{ runs: ReconciliationRun[]; totalRuns: number }> {
      const [page, totalRuns] = await Promise.all([runs.listRuns(db, limit, offset), runs.countRuns(db)]);
      return { runs: page, totalRuns };
    },
    findRun: (id: string) => runs.findRun(db, id),
    latestFinishedRun: () => runs.latestFinishedRun(db),
  };
}

function missingAtStripe(rows: LedgerMovement[]): Drift {
  return {
    kind: 'refund_missing_at_stripe',
    message: `The ledger records a refund of ${rows.reduce((total, row) => total + row.amountCents, 0)} cents Stripe does not have`,
    refundId: rows[0].stripeRefundId ?? undefined,
    checkoutSessionId: rows[0].checkoutSessionId,
    ledger: {
      statuses: [...new Set(rows.map((row) => row.status))],
      amountCents: rows.reduce((total, row) => total + row.amountCents, 0),
    },
  };
}

export type ReconciliationService = ReturnType<typeof createReconciliationService>;
