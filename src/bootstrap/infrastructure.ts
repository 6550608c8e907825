import type { Config } from '../config';
import { startEmbeddedPostgres } from '../db/embedded-postgres';
import { createDb, migrateLatest, type Db } from '../db/knex';
import type { Logger } from '../logger';
import type { PaymentGateway } from '../payments/payment-gateway';
import { createStripeGateway } from '../payments/stripe-gateway';
import { startStripeSandbox } from '../sandbox/stripe';

export interface Database {
  db: Db;
  embedded: boolean;
  close(): Promise<void>;
}

/**
 * DATABASE_URL when given; otherwise the embedded Postgres in EMBEDDED_DATA_DIR, migrated on start so a
 * fresh machine needs nothing installed. Migrations against a real server are `npm run migrate`'s job.
 */
export async function openDatabase(config: Config, logger: Logger, { migrate = false } = {}): Promise<Database> {
  if (config.DATABASE_URL) {
    const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_MAX);
    if (migrate) await migrateLatest(db);
    return { db, embedded: false, close: () => db.destroy() };
  }
  const embedded = await startEmbeddedPostgres(config.EMBEDDED_DATA_DIR);
  // PGlite serves one connection; a pool of one queues queries instead of failing them.
  const db = createDb(embedded.connectionString, 1);
  await migrateLatest(db);
  logger.warn({ dataDir: config.EMBEDDED_DATA_DIR }, 'no DATABASE_URL: using the embedded database (development only)');
  return {
    db,
    embedded: true,
    async close() {
      await db.destroy();
      await embedded.stop();
    },
  };
}

export interface Payments {
  gateway: PaymentGateway;
  sandboxUrl: string | null;
  close(): Promise<void>;
}

/** Real Stripe (or the sandbox named by STRIPE_API_URL) with a key; the in-process sandbox without one. */
export async function openPayments(config: Config, logger: Logger): Promise<Payments> {
  if (config.STRIPE_SECRET_KEY) {
    const gateway = createStripeGateway({ secretKey: config.STRIPE_SECRET_KEY, apiUrl: config.STRIPE_API_URL });
    return { gateway, sandboxUrl: config.STRIPE_API_URL ?? null, close: async () => {} };
  }
  const sandbox = await startStripeSandbox({ port: 0 });
  logger.warn({ url: sandbox.url }, 'no STRIPE_SECRET_KEY: payments go to the in-process Stripe sandbox');
  return {
    gateway: createStripeGateway({ secretKey: 'sk_test_embedded_sandbox', apiUrl: sandbox.url }),
    sandboxUrl: sandbox.url,
    close: () => sandbox.stop(),
  };
}
