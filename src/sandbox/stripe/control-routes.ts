import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { parseFaultSpecs } from './faults';
import { readBody, sendJson } from './http-io';
import { StripeApiError } from './stripe-error';
import type { FaultSpec, PaymentIntentObject, SandboxStats } from './types';

/** What a test can do to a sandbox, in process or (through the routes below) from another process. */
export interface SandboxControls {
  stats(): SandboxStats;
  /** Forgets every object, idempotency key, armed fault and counter, and restores the starting latency. */
  reset(): void;
  paymentIntents(): PaymentIntentObject[];
  injectFaults(spec: FaultSpec | FaultSpec[]): void;
  clearFaults(): void;
  setLatency(ms: number): void;
  /** The shopper completes (or fails) 3-D Secure for a PaymentIntent in requires_action. */
  authenticate(paymentIntentId: string, outcome?: 'succeed' | 'fail'): PaymentIntentObject;
}

const latencyBody = z.object({ ms: z.number().int().min(0) });
const authenticateBody = z.object({ outcome: z.enum(['succeed', 'fail']).default('succeed') });
const AUTHENTICATE = /^\/_sandbox\/payment_intents\/([A-Za-z0-9_]+)\/authenticate$/;

/**
 * The `/_sandbox/*` control surface: JSON bodies, no API key needed:
 * GET stats · POST reset · POST faults (a FaultSpec or an array) · DELETE faults · POST latency `{ms}` ·
 * GET payment_intents · POST payment_intents/:id/authenticate `{outcome?: 'succeed' | 'fail'}`.
 */
export async function handleControlRequest(controls: SandboxControls, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
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
    const authenticate = req.method === 'POST' ? AUTHENTICATE.exec(url.pathname) : null;
    if (authenticate) {
      const { outcome } = authenticateBody.parse(body ?? {});
      return sendJson(res, 200, controls.authenticate(authenticate[1], outcome));
    }
    sendJson(res, 404, { error: { message: `Unknown sandbox control: ${route}` } });
  } catch (error) {
    if (error instanceof StripeApiError) return sendJson(res, error.status, { error: error.body });
    if (error instanceof z.ZodError) return sendJson(res, 400, { error: { message: 'Invalid control request', issues: error.issues } });
    if (error instanceof SyntaxError) return sendJson(res, 400, { error: { message: `Invalid JSON: ${error.message}` } });
    throw error;
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  return text ? JSON.parse(text) : undefined;
}
