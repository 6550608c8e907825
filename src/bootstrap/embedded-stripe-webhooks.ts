import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger';

/**
 * With the in-process Stripe sandbox (`npm start` without STRIPE_SECRET_KEY) and no STRIPE_WEBHOOK_SECRET, the
 * sandbox is told to send its events to this service, signed with a secret made for this run, as a Stripe
 * webhook endpoint would be set up in the Dashboard. Refunds made over the sandbox's `/_sandbox/dashboard/refunds`
 * and its disputes then reach the service the way Stripe's do.
 */
export function embeddedWebhookSecret(sandboxUrl: string | null, configured: string | undefined): string | undefined {
  return configured ?? (sandboxUrl ? `whsec_${randomBytes(24).toString('hex')}` : undefined);
}

export async function registerEmbeddedWebhookEndpoint(
  sandboxUrl: string,
  apiUrl: string,
  secret: string,
  logger: Logger,
): Promise<void> {
  const url = `${apiUrl}/api/v1/webhooks/stripe`;
  const response = await fetch(`${sandboxUrl}/_sandbox/webhook_endpoints`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ url, secret }),
  });
  if (!response.ok) throw new Error(`the Stripe sandbox refused the webhook endpoint: ${response.status}`);
  logger.info(
    { endpoint: url, controls: `${sandboxUrl}/_sandbox/dashboard/refunds` },
    'the in-process Stripe sandbox sends its events to this service',
  );
}
