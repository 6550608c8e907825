import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { DISPUTE_REASONS, OPEN_DISPUTE_STATUSES } from './disputes';
import { sendJson } from './http-io';
import type { DisputeObject, RefundObject } from './types';
import type { SentEvent, WebhookEndpoint } from './webhook-sender';

/**
 * What happens at Stripe without the merchant's API calls, steerable by tests: a refund made in the Dashboard, a
 * dispute the card network opens and closes, and the webhook endpoints their events are sent to.
 */
export interface OutsideControls {
  /** Registers a webhook endpoint (the secret is generated unless given); its events are sent signed. */
  addWebhookEndpoint(spec: { url: string; secret?: string; enabledEvents?: string[] }): WebhookEndpoint;
  /** Events sent so far with how their deliveries went, oldest first. */
  events(filter?: { type?: string }): SentEvent[];
  /** Resolves once every delivery queued so far is done (delivered or given up). */
  webhooksIdle(): Promise<void>;
  /** A refund made by a person in Stripe's Dashboard: no idempotency key, no metadata. */
  dashboardRefund(request: {
    paymentIntentId: string;
    amount?: number;
    reason?: 'duplicate' | 'fraudulent' | 'requested_by_customer';
  }): RefundObject;
  openDispute(request: {
    paymentIntentId: string;
    amount?: number;
    reason?: (typeof DISPUTE_REASONS)[number];
  }): DisputeObject;
  updateDispute(id: string, status: (typeof OPEN_DISPUTE_STATUSES)[number]): DisputeObject;
  closeDispute(id: string, outcome: 'won' | 'lost' | 'warning_closed'): DisputeObject;
}

const endpointBody = z.object({
  url: z.url(),
  secret: z.string().min(1).optional(),
  enabledEvents: z.array(z.string()).optional(),
});
const refundBody = z.object({
  paymentIntentId: z.string().min(1),
  amount: z.number().int().positive().optional(),
  reason: z.enum(['duplicate', 'fraudulent', 'requested_by_customer']).optional(),
});
const disputeBody = z.object({
  paymentIntentId: z.string().min(1),
  amount: z.number().int().positive().optional(),
  reason: z.enum(DISPUTE_REASONS).optional(),
});
const updateBody = z.object({ status: z.enum(OPEN_DISPUTE_STATUSES) });
const closeBody = z.object({ outcome: z.enum(['won', 'lost', 'warning_closed']) });
const DISPUTE = /^\/_sandbox\/disputes\/([A-Za-z0-9_]+)(\/close)?$/;

/**
 * POST webhook_endpoints `{url, secret?, enabledEvents?}` · GET events?type= · POST webhooks/idle (answers once
 * every queued delivery is done) · POST dashboard/refunds `{paymentIntentId, amount?, reason?}` ·
 * POST disputes `{paymentIntentId, amount?, reason?}` · POST disputes/:id `{status}` · POST disputes/:id/close `{outcome}`.
 * False when the route is not one of these.
 */
export async function handleOutsideControl(
  controls: OutsideControls,
  method: string,
  url: URL,
  body: unknown,
  res: ServerResponse,
): Promise<boolean> {
  const route = `${method} ${url.pathname}`;
  if (route === 'POST /_sandbox/webhook_endpoints') {
    sendJson(res, 200, controls.addWebhookEndpoint(endpointBody.parse(body)));
  } else if (route === 'GET /_sandbox/events') {
    sendJson(res, 200, { object: 'list', data: controls.events({ type: url.searchParams.get('type') ?? undefined }) });
  } else if (route === 'POST /_sandbox/webhooks/idle') {
    await controls.webhooksIdle();
    sendJson(res, 200, { idle: true });
  } else if (route === 'POST /_sandbox/dashboard/refunds') {
    sendJson(res, 200, controls.dashboardRefund(refundBody.parse(body)));
  } else if (route === 'POST /_sandbox/disputes') {
    sendJson(res, 200, controls.openDispute(disputeBody.parse(body)));
  } else {
    const dispute = method === 'POST' ? DISPUTE.exec(url.pathname) : null;
    if (!dispute) return false;
    const [, id, close] = dispute;
    sendJson(
      res,
      200,
      close
        ? controls.closeDispute(id, closeBody.parse(body).outcome)
        : controls.updateDispute(id, updateBody.parse(body).status),
    );
  }
  return true;
}
