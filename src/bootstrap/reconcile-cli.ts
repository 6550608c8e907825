import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { createStripeGateway } from '../payments/stripe-gateway';
import { createDb } from '../db/knex';
import { createReconciliationService } from '../services/reconciliation-service';
import { buildServiceDeps } from '../services/service-deps';

const USAGE = `Usage: npm run reconcile -- --since <date or time> [--until <date or time>] [--json]

Compares the PaymentIntents and refunds Stripe created in [since, until) with the ledger in DATABASE_URL and
records the run for ops (GET /api/v1/ops/reconciliation, the dashboard, the stripe_reconciliation_drift metric).
It changes nothing. Dates are UTC: --since 2026-12-01 means 2026-12-01T00:00:00Z; --until defaults to now.
Exit status: 0 no drift, 3 drift found, 1 the run failed, 2 bad arguments or configuration.`;

class UsageError extends Error {}

function parseInstant(value: string, name: string): Date {
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime()))
    throw new UsageError(`--${name} must be a date (2026-12-01) or an ISO time, got ${value}`);
  return date;
}

/** `npm run reconcile`: one reconciliation with Stripe for a period, on demand. */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      since: { type: 'string' },
      until: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return (console.log(USAGE), 0);
  if (!values.since) return (console.error(USAGE), 2);
  const since = parseInstant(values.since, 'since');
  const until = values.until ? parseInstant(values.until, 'until') : new Date();
  if (until <= since) return (console.error('--until must be after --since'), 2);
  const config = loadConfig();
  if (!config.DATABASE_URL || !config.STRIPE_SECRET_KEY) {
    console.error(
      'DATABASE_URL and STRIPE_SECRET_KEY (and STRIPE_API_URL for a Stripe-compatible server) must be set.',
    );
    return 2;
  }
  const db = createDb(config.DATABASE_URL, 4);
  try {
    const payments = createStripeGateway({ secretKey: config.STRIPE_SECRET_KEY, apiUrl: config.STRIPE_API_URL });
    const reconciliation = createReconciliationService(
      buildServiceDeps({ db, payments, logger: createLogger(config.LOG_LEVEL) }),
    );
    const { run, report } = (await reconciliation.runAndRecord({ since, until }, 'manual'))!;
    if (values.json) console.log(JSON.stringify({ runId: run.id, ...report }, null, 2));
    else {
      console.log(`Run ${run.id}: ${report.period.since} – ${report.period.until}, ${report.durationMs} ms`);
      console.log(
        `Stripe: ${report.stripe.paymentIntents} PaymentIntents, ${report.stripe.refunds} refunds; ledger: ${report.ledger.paymentIntents} payments, ${report.ledger.refundRows} refund rows`,
      );
      console.log(
        report.driftCount === 0 ? 'No drift: the ledger matches Stripe.' : `${report.driftCount} differences:`,
      );
      for (const drift of report.drift)
        console.log(
          `  ${drift.kind}  ${drift.paymentIntentId ?? ''} ${drift.refundId ?? ''} ${drift.checkoutSessionId ?? ''}  ${drift.message}`,
        );
      if (report.truncated)
        console.log(
          `  … and ${report.driftCount - report.drift.length} more (GET /api/v1/ops/reconciliation/${run.id})`,
        );
    }
    return report.driftCount === 0 ? 0 : 3;
  } finally {
    await db.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(
      error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1,
    );
  },
);
