import { createLogger } from '../../logger';
import { startStripeSandbox } from './start-stripe-sandbox';

/**
 * Runs the Stripe sandbox on its own: `npm run sandbox:stripe`. Environment: STRIPE_SANDBOX_PORT (12111),
 * STRIPE_SANDBOX_HOST (127.0.0.1), STRIPE_SANDBOX_LATENCY_MS (0). Point the service at it with
 * STRIPE_API_URL=<the logged url> and any STRIPE_SECRET_KEY starting with sk_test_.
 */
async function main(): Promise<void> {
  const logger = createLogger();
  const sandbox = await startStripeSandbox({
    port: Number(process.env.STRIPE_SANDBOX_PORT ?? 12111),
    host: process.env.STRIPE_SANDBOX_HOST ?? '127.0.0.1',
    latencyMs: Number(process.env.STRIPE_SANDBOX_LATENCY_MS ?? 0),
  });
  logger.info(
    { url: sandbox.url, controls: `${sandbox.url}/_sandbox/stats` },
    `Stripe sandbox listening on ${sandbox.url}`,
  );

  const shutdown = (signal: string) => {
    logger.info({ signal, stats: sandbox.stats() }, 'Stripe sandbox stopping');
    sandbox.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
