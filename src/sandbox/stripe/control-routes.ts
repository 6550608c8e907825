import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { parseFaultSpecs } from './faults';
import { readBody, sendJson } from './http-io';
import { handleOutsideControl, type OutsideControls } from './outside-controls';
import { StripeApiError } from './stripe-error';
import type { FaultSpec, PaymentIntentObject, RefundObject, SandboxStats } from './types';

/** What a test can do to a sandbox, in process or (through the routes below) from another process. */
export interface SandboxControls extends OutsideControls {
  stats(): SandboxStats;
  /** Forgets every object, idempotency key, armed fault and counter, and restores the starting latency. */
  reset(): void;
  paymentIntents(): PaymentIntentObject[];
  injectFaults(spec: FaultSpec | FaultSpec[]): void;
  clearFaults(): void;
  setLatency(ms: number): void;
  /** The shopper completes (or fails) 3-D Secure for a PaymentIntent in requires_action. */
  authenticate(paymentIntentId: string, outcome?: 'succeed' | 'fail'): PaymentIntentObject;
  /** New refunds are created `pending`, as a refund waiting on the card network is, until settleHeldRefunds. */
  holdRefunds(): void;
  /** Settles every pending refund (`failed` ones as expired_or_canceled_card) and stops holding new ones. */
  settleHeldRefunds(outcome?: 'succeeded' | 'failed'): RefundObject[];
  /** Forgets every idempotency key, as Stripe may once a key is 24 hours old: the same key then runs anew. */
  expireIdempotencyKeys(): void;
}

const latencyBody = z.object({ ms: z.number().int().min(0) });
const authenticateBody = z.object({ outcome: z.enum(['succeed', 'fail']).default('succeed') });
const settleRefundsBody = z.object({ outcome: z.enum(['succeeded', 'failed']).default('succeeded') });
const AUTHENTICATE = /^\/_sandbox\/payment_intents\/([A-Za-z0-9_]+)\/authenticate$/;

/**
 * The `/_sandbox/*` control surface: JSON bodies, no API key needed:
 * GET stats · POST reset · POST faults (a FaultSpec or an array) · DELETE faults · POST latency `{ms}` ·
 * GET payment_intents · POST payment_intents/:id/authenticate `{outcome?: 'succeed' | 'fail'}` ·
 * POST refunds/hold · POST refunds/settle `{outcome?: 'succeeded' | 'failed'}` · POST idempotency_keys/expire;
 * and the Dashboard refunds, disputes and webhook endpoints of outside-controls.ts.
 */
export async function handleControlRequest(
  controls: SandboxControls,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const route = `${req.method} ${url.pathname}`;
  try {
    const body = await readJson(req);
    if (route === 'GET /_sandbox/stats') return sendJson(res, 200, controls.stats());
    if (route === 'POST /_sandbox/reset') {
      controls.reset();
      return sendJson(res, 200, { reset: true });
    }
    if (route === 'POST /_sandbox/faults') {
      const specs = parseFaultSpecs(body);
      controls.injectFaults(specs);
      return sendJson(res, 200, { armed: specs });
    }
    if (route === 'DELETE /_sandbox/faults') {
      controls.clearFaults();
      return sendJson(res, 200, { cleared: true });
    }
    if (route === 'POST /_sandbox/latency') {
      const { ms } = latencyBody.parse(body);
      controls.setLatency(ms);
      return sendJson(res, 200, { latencyMs: ms });
    }
    if (route === 'GET /_sandbox/payment_intents') {
      return sendJson(res, 200, { object: 'list', data: controls.paymentIntents() });
    }
    if (route === 'POST /_sandbox/refunds/hold') {
      controls.holdRefunds();
      return sendJson(res, 200, { holding: true });
    }
    if (route === 'POST /_sandbox/refunds/settle') {
      const { outcome } = settleRefundsBody.parse(body ?? {});
      return sendJson(res, 200, { object: 'list', data: controls.settleHeldRefunds(outcome) });
    }
    if (route === 'POST /_sandbox/idempotency_keys/expire') {
      controls.expireIdempotencyKeys();
      return sendJson(res, 200, { expired: true });
    }
    const authenticate = req.method === 'POST' ? AUTHENTICATE.exec(url.pathname) : null;
    if (authenticate) {
      const { outcome } = authenticateBody.parse(body ?? {});
      return sendJson(res, 200, controls.authenticate(authenticate[1], outcome));
    }
    if (await handleOutsideControl(controls, req.method ?? 'GET', url, body, res)) return;
    sendJson(res, 404, { error: { message: `Unknown sandbox control: ${route}` } });
  } catch (error) {
    if (error instanceof StripeApiError) return sendJson(res, error.status, { error: error.body });
    if (error instanceof z.ZodError)
      return sendJson(res, 400, { error: { message: 'Invalid control request', issues: error.issues } });
    if (error instanceof SyntaxError)
      return sendJson(res, 400, { error: { message: `Invalid JSON: ${error.message}` } });
    throw error;
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  return text ? JSON.parse(text) : undefined;
}
