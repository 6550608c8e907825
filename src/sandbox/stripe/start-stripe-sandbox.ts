import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleApiRequest } from './api-handler';
import { completeAuthentication } from './confirm-payment';
import { handleControlRequest, type SandboxControls } from './control-routes';
import { FaultInjector } from './faults';
import { sendJson } from './http-io';
import { IdempotencyStore } from './idempotency';
import { findRecord } from './payment-intents';
import { closeDispute, openDispute, updateDispute } from './disputes';
import { createRefund, settleHeldRefunds } from './refunds';
import { WebhookSender } from './webhook-sender';
import { SandboxState } from './sandbox-state';

export interface StripeSandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Added to every API request, as Stripe's processing time. */
  latencyMs?: number;
}

export interface StripeSandbox extends SandboxControls {
  /** Base URL for `STRIPE_API_URL`, e.g. http://127.0.0.1:12111 */
  readonly url: string;
  readonly port: number;
  /** Closes the server, dropping hung and keep-alive connections. */
  stop(): Promise<void>;
}

/**
 * A loopback server speaking the slice of Stripe's REST API that checkout uses, kept in memory, with controls
 * to fail, slow down or hang requests. Point stripe-node at it with `host`/`port`/`protocol: 'http'`.
 */
export async function startStripeSandbox(options: StripeSandboxOptions = {}): Promise<StripeSandbox> {
  const { port = 0, host = '127.0.0.1', latencyMs: initialLatencyMs = 0 } = options;
  const state = new SandboxState();
  const idempotency = new IdempotencyStore();
  const faults = new FaultInjector();
  const webhooks = new WebhookSender();
  state.emit = (type, object) => webhooks.emit(type, object);
  let latencyMs = initialLatencyMs;

  const controls: SandboxControls = {
    stats: () => ({ ...state.stats }),
    reset: () => {
      state.clear();
      idempotency.clear();
      faults.clear();
      webhooks.clear();
      latencyMs = initialLatencyMs;
    },
    paymentIntents: () => [...state.paymentIntents.values()].map((record) => structuredClone(record.intent)),
    injectFaults: (spec) => faults.add(spec),
    clearFaults: () => faults.clear(),
    setLatency: (ms) => {
      if (!Number.isInteger(ms) || ms < 0) throw new RangeError(`Latency must be a non-negative integer, got ${ms}`);
      latencyMs = ms;
    },
    authenticate: (paymentIntentId, outcome = 'succeed') =>
      structuredClone(completeAuthentication(state, findRecord(state, paymentIntentId), outcome)),
    holdRefunds: () => {
      state.holdingRefunds = true;
    },
    settleHeldRefunds: (outcome = 'succeeded') => {
      state.holdingRefunds = false;
      return structuredClone(settleHeldRefunds(state, outcome));
    },
    expireIdempotencyKeys: () => idempotency.clear(),
    addWebhookEndpoint: (spec) => webhooks.addEndpoint(spec),
    events: (filter) => webhooks.list(filter),
    webhooksIdle: () => webhooks.idle(),
    dashboardRefund: ({ paymentIntentId, amount, reason }) =>
      structuredClone(
        createRefund(state, {
          payment_intent: paymentIntentId,
          ...(amount ? { amount: String(amount) } : {}),
          ...(reason ? { reason } : {}),
        }),
      ),
    openDispute: (request) => structuredClone(openDispute(state, request)),
    updateDispute: (id, status) => structuredClone(updateDispute(state, id, status)),
    closeDispute: (id, outcome) => structuredClone(closeDispute(state, id, outcome)),
  };
  const api = { state, idempotency, faults, latencyMs: () => latencyMs };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const handled = url.pathname.startsWith('/_sandbox/')
      ? handleControlRequest(controls, req, res, url)
      : handleApiRequest(api, req, res, url);
    handled.catch((error: unknown) => {
      sendJson(res, 500, {
        error: {
          type: 'api_error',
          message: `Sandbox error: ${error instanceof Error ? error.message : String(error)}`,
        },
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const boundPort = (server.address() as AddressInfo).port;

  return {
    ...controls,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`,
    port: boundPort,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        webhooks.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
