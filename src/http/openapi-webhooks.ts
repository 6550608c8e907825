import { z } from 'zod';
import type { AddOperation } from './openapi-operation';
import { RATE_LIMITED } from './openapi-operation';
import { RetailerEventInput, RetailerEventReceipt, StripeEventReceipt } from './schemas/webhooks';

/** Webhooks coming in, signed: retailers' order events and Stripe's refunds and disputes. */
export function describeWebhooksIn(add: AddOperation): void {
  add('post', '/webhooks/retailers/{storeSlug}', {
    summary: 'Retailer order events, signed: X-Retailer-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">',
    tags: ['Webhooks'],
    auth: 'signature',
    params: z.object({ storeSlug: z.string() }),
    body: RetailerEventInput,
    response: RetailerEventReceipt,
    errors: {
      401: 'invalid_signature',
      404: 'not_found (unknown storeOrderNumber; retry later)',
      409: 'invalid_transition (the order moved meanwhile) | request_in_progress (this event is being applied): retry later',
      429: RATE_LIMITED,
      503: 'service_unavailable (a cancellation’s refund could not reach the payment provider; retry later)',
    },
  });
  add('post', '/webhooks/stripe', {
    summary:
      'Stripe events, verified with STRIPE_WEBHOOK_SECRET: refunds (ours settled, Dashboard ones recorded on the orders) and disputes',
    tags: ['Webhooks'],
    auth: 'signature',
    response: StripeEventReceipt,
    errors: {
      401: 'invalid_signature',
      409: 'request_in_progress (this event is being applied; retry later)',
      429: RATE_LIMITED,
    },
  });
}
