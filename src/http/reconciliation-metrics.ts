import { Gauge, type Registry } from 'prom-client';
import type { ReconciliationRun } from '../domain/reconciliation';
import { DRIFT_KINDS } from '../services/reconciliation-compare';

/**
 * Reconciliation as Prometheus sees it, read from the newest finished run at scrape time, so every instance's
 * `/metrics` tells the same story whichever instance (or `npm run reconcile`) ran it. Alert on
 * `stripe_reconciliation_drift > 0`, and on `time() - stripe_reconciliation_last_run_timestamp_seconds > 2 * 86400`.
 */
export function registerReconciliationMetrics(
  registry: Registry,
  latest: () => Promise<ReconciliationRun | null>,
): void {
  let read: Promise<ReconciliationRun | null> | null = null;
  // One query per scrape, shared by the gauges below.
  const latestOnce = () => {
    read ??= latest()
      .catch(() => null)
      .finally(() => setTimeout(() => (read = null), 0));
    return read;
  };
  new Gauge({
    name: 'stripe_reconciliation_drift',
    help: 'Differences between Stripe and the ledger found by the newest finished reconciliation, by kind',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      const run = await latestOnce();
      for (const kind of DRIFT_KINDS) this.set({ kind }, run?.driftByKind?.[kind] ?? 0);
    },
  });
  new Gauge({
    name: 'stripe_reconciliation_last_run_timestamp_seconds',
    help: 'When the newest finished reconciliation finished (0: never)',
    registers: [registry],
    async collect() {
      const run = await latestOnce();
      this.set(run?.finishedAt ? run.finishedAt.getTime() / 1000 : 0);
    },
  });
  new Gauge({
    name: 'stripe_reconciliation_last_period_end_timestamp_seconds',
    help: 'The end of the period the newest finished reconciliation covered (0: never)',
    registers: [registry],
    async collect() {
      const run = await latestOnce();
      this.set(run ? run.periodEnd.getTime() / 1000 : 0);
    },
  });
}
