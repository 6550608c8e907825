import { createHmac, randomBytes } from 'node:crypto';
import { DEFAULT_API_VERSION } from './api-versions';
import { newStripeId, nowSeconds } from './sandbox-state';
import { sleep } from './http-io';
import type { StripeEventObject } from './types';

/**
 * Stripe's webhook delivery (https://docs.stripe.com/webhooks): each event is POSTed as JSON to every endpoint that
 * wants its type, signed with the endpoint's secret in `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<body>">`, exactly what stripe-node's `webhooks.constructEvent` verifies. Anything but a 2xx is delivered
 * again later (Stripe backs off for up to three days; the sandbox a few times, quickly). Deliveries go out one at a
 * time, in the order the events happened, so tests can wait for them; Stripe itself does not promise any order.
 */
export interface WebhookEndpoint {
  id: string;
  url: string;
  secret: string;
  /** Event types to send; `*` for all. */
  enabledEvents: string[];
}

export interface EventDelivery {
  endpointId: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatusCode: number | null;
}

export interface SentEvent {
  event: StripeEventObject;
  deliveries: EventDelivery[];
}

const MAX_EVENTS_KEPT = 10_000;

export class WebhookSender {
  private readonly endpoints: WebhookEndpoint[] = [];
  private readonly events: SentEvent[] = [];
  private queue: Promise<void> = Promise.resolve();
  private generation = 0;

  constructor(
    private readonly options: { maxAttempts: number; retryDelayMs: number } = { maxAttempts: 5, retryDelayMs: 100 },
  ) {}

  addEndpoint(spec: { url: string; secret?: string; enabledEvents?: string[] }): WebhookEndpoint {
    const endpoint: WebhookEndpoint = {
      id: newStripeId('we'),
      url: spec.url,
      secret: spec.secret ?? `whsec_${randomBytes(24).toString('hex')}`,
      enabledEvents: spec.enabledEvents?.length ? spec.enabledEvents : ['*'],
    };
    this.endpoints.push(endpoint);
    return endpoint;
  }

  /** Records the event and queues its delivery to every endpoint that wants it. No endpoint: nothing is kept. */
  emit(type: string, object: unknown): void {
    const targets = this.endpoints.filter(
      (endpoint) => endpoint.enabledEvents.includes('*') || endpoint.enabledEvents.includes(type),
    );
    if (targets.length === 0) return;
    const event: StripeEventObject = {
      id: newStripeId('evt'),
      object: 'event',
      api_version: DEFAULT_API_VERSION,
      created: nowSeconds(),
      // A snapshot: later changes to the object are later events.
      data: { object: structuredClone(object) },
      livemode: false,
      pending_webhooks: targets.length,
      request: { id: null, idempotency_key: null },
      type,
    };
    const sent: SentEvent = {
      event,
      deliveries: targets.map((endpoint) => ({
        endpointId: endpoint.id,
        status: 'pending',
        attempts: 0,
        lastStatusCode: null,
      })),
    };
    this.events.push(sent);
    if (this.events.length > MAX_EVENTS_KEPT) this.events.shift();
    const generation = this.generation;
    this.queue = this.queue.then(() => this.deliverAll(sent, targets, generation));
  }

  list(filter: { type?: string } = {}): SentEvent[] {
    return this.events
      .filter((sent) => !filter.type || sent.event.type === filter.type)
      .map((sent) => structuredClone(sent));
  }

  /** Resolves once every delivery queued so far has succeeded or given up. */
  idle(): Promise<void> {
    return this.queue;
  }

  /** Forgets endpoints and events; deliveries still queued are dropped. */
  clear(): void {
    this.endpoints.length = 0;
    this.events.length = 0;
    this.generation += 1;
  }

  private async deliverAll(sent: SentEvent, targets: WebhookEndpoint[], generation: number): Promise<void> {
    const payload = JSON.stringify(sent.event, null, 2);
    for (const [index, endpoint] of targets.entries()) {
      const delivery = sent.deliveries[index];
      while (delivery.status === 'pending' && generation === this.generation) {
        delivery.attempts += 1;
        delivery.lastStatusCode = await this.post(endpoint, payload);
        const ok = delivery.lastStatusCode !== null && delivery.lastStatusCode >= 200 && delivery.lastStatusCode < 300;
        if (ok) delivery.status = 'delivered';
        else if (delivery.attempts >= this.options.maxAttempts) delivery.status = 'failed';
        else await sleep(this.options.retryDelayMs * 2 ** (delivery.attempts - 1));
      }
    }
  }

  private async post(endpoint: WebhookEndpoint, payload: string): Promise<number | null> {
    const timestamp = nowSeconds();
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'Stripe-Signature': signPayload(payload, endpoint.secret, timestamp),
        },
        body: payload,
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return null;
    }
  }
}

/** The `Stripe-Signature` header for a payload, as Stripe computes it. */
export function signPayload(payload: string, secret: string, timestamp: number): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${signature}`;
}
