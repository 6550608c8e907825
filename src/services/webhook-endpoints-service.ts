import { randomBytes } from 'node:crypto';
import { notFound } from '../domain/errors';
import { newId } from '../domain/ids';
import { pageEmails } from '../repositories/email-deliveries-repository';
import type { EmailStatus } from '../domain/email';
import {
  findDeliveryView,
  listDueLineHeads,
  pageDeliveries,
  resetDelivery,
} from '../repositories/webhook-deliveries-repository';
import type { DeliveryStatus } from '../domain/webhook-delivery';
import {
  deleteEndpoint,
  deliveryCountsByEndpoint,
  enableEndpoint,
  findEndpoint,
  insertEndpoint,
  listEndpoints,
  rollSecret,
} from '../repositories/webhook-endpoints-repository';
import type { WebhookEndpointRecord } from '../domain/webhook-endpoint';
import type { EventWiring } from './event-wiring';
import type { ServiceDeps } from './service-deps';

const newSecret = () => `whsec_${randomBytes(24).toString('base64url')}`;

/**
 * The shopping app's webhook endpoints (admins register and delete them; a secret is shown once, when created or
 * rolled) and what ops see of them: deliveries per endpoint, redelivery, enabling an endpoint disabled for failing.
 */
export function createWebhookEndpointsService(deps: ServiceDeps, wiring: Pick<EventWiring, 'enqueue'>) {
  const { db, clock } = deps;

  async function existing(id: string): Promise<WebhookEndpointRecord> {
    const endpoint = await findEndpoint(db, id);
    if (!endpoint) throw notFound('Webhook endpoint');
    return endpoint;
  }

  return {
    async create(input: { url: string; events: string[]; description?: string }) {
      const secret = newSecret();
      const endpoint = await insertEndpoint(db, {
        id: newId('we'),
        url: input.url,
        description: input.description ?? null,
        eventTypes: [...new Set(input.events)],
        secret,
      });
      return { endpoint, secret };
    },

    list: () => listEndpoints(db),

    get: existing,

    async remove(id: string): Promise<void> {
      if (!(await deleteEndpoint(db, id))) throw notFound('Webhook endpoint');
    },

    /** A new secret; the old one keeps signing beside it for `overlapHours` so receivers can switch without a gap. */
    async rollSecret(id: string, overlapHours: number) {
      const now = clock.now();
      const secret = newSecret();
      const endpoint = await rollSecret(db, id, secret, new Date(now.getTime() + overlapHours * 3_600_000), now);
      if (!endpoint) throw notFound('Webhook endpoint');
      return { endpoint, secret };
    },

    async listWithCounts() {
      const [endpoints, counts] = await Promise.all([listEndpoints(db), deliveryCountsByEndpoint(db)]);
      return endpoints.map((endpoint) => ({
        endpoint,
        counts: counts.get(endpoint.id) ?? { pending: 0, succeeded: 0, failed: 0 },
      }));
    },

    async deliveries(endpointId: string, status: DeliveryStatus | undefined, limit: number, offset: number) {
      await existing(endpointId);
      return pageDeliveries(db, endpointId, status, limit, offset);
    },

    /** Sends a delivery again, whatever became of it (the receiver drops a repeat by the event id). */
    async redeliver(deliveryId: string) {
      const now = clock.now();
      const id = await resetDelivery(db, deliveryId, now);
      if (!id) throw notFound('Webhook delivery');
      await wiring.enqueue([{ kind: 'webhook', id, tag: `redeliver${now.getTime()}` }]);
      return (await findDeliveryView(db, id))!;
    },

    /** Enables an endpoint ops disabled or the failure policy did, and sends what waited for it. */
    async enable(endpointId: string) {
      const now = clock.now();
      const endpoint = await enableEndpoint(db, endpointId, now);
      if (!endpoint) throw notFound('Webhook endpoint');
      // Everything that waited goes now, retry delays included.
      const heads = await listDueLineHeads(db, new Date(now.getTime() + 365 * 86_400_000), 1000, endpointId);
      if (heads.length > 0) await wiring.enqueue(heads.map((id) => ({ kind: 'webhook' as const, id })));
      return endpoint;
    },

    emails: (status: EmailStatus | undefined, limit: number, offset: number) => pageEmails(db, status, limit, offset),
  };
}

export type WebhookEndpointsService = ReturnType<typeof createWebhookEndpointsService>;
