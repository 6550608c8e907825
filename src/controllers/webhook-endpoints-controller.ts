import type { Request, Response } from 'express';
import { send, sendPage } from '../http/respond';
import { parseInput } from '../http/validate';
import {
  CreateWebhookEndpointInput,
  DeliveryIdParam,
  DeliveryListQuery,
  EmailListQuery,
  EndpointIdParam,
  RollSecretInput,
} from '../http/schemas/webhook-endpoints';
import type { EmailRecord } from '../domain/email';
import type { DeliveryView } from '../domain/webhook-delivery';
import type { EndpointDeliveryCounts, WebhookEndpointRecord } from '../domain/webhook-endpoint';
import type { WebhookEndpointsService } from '../services/webhook-endpoints-service';

const iso = (value: Date | null) => value?.toISOString() ?? null;

const presentEndpoint = (endpoint: WebhookEndpointRecord) => ({
  endpointId: endpoint.id,
  url: endpoint.url,
  description: endpoint.description,
  events: endpoint.eventTypes,
  status: endpoint.status,
  disabledReason: endpoint.disabledReason,
  failingSince: iso(endpoint.failingSince),
  previousSecretExpiresAt: iso(endpoint.previousSecretExpiresAt),
  createdAt: endpoint.createdAt.toISOString(),
});

const presentDelivery = (delivery: DeliveryView) => ({
  deliveryId: delivery.id,
  endpointId: delivery.endpointId,
  eventId: delivery.eventId,
  eventType: delivery.eventType,
  checkoutSessionId: delivery.checkoutSessionId,
  orderNumber: delivery.orderNumber,
  status: delivery.status,
  attempts: delivery.attempts,
  lastStatusCode: delivery.lastStatusCode,
  lastError: delivery.lastError,
  lastAttemptAt: iso(delivery.lastAttemptAt),
  nextAttemptAt: iso(delivery.nextAttemptAt),
  deliveredAt: iso(delivery.deliveredAt),
  createdAt: delivery.createdAt.toISOString(),
});

const presentEmail = (email: EmailRecord) => ({
  emailId: email.id,
  eventId: email.eventId,
  template: email.template,
  to: email.to,
  subject: email.subject,
  status: email.status,
  attempts: email.attempts,
  lastError: email.lastError,
  sentAt: iso(email.sentAt),
  createdAt: email.createdAt.toISOString(),
  text: email.text,
  html: email.html,
});

/** Admin: register, list, roll and delete endpoints. Ops: their deliveries, redelivery, enabling, the shopper mails. */
export function createWebhookEndpointsController(endpoints: WebhookEndpointsService) {
  const endpointId = (req: Request) => parseInput(EndpointIdParam, req.params, 'endpointId').endpointId;
  return {
    async create(req: Request, res: Response) {
      const { endpoint, secret } = await endpoints.create(parseInput(CreateWebhookEndpointInput, req.body));
      send(res, { ...presentEndpoint(endpoint), secret }, 201);
    },
    async list(_req: Request, res: Response) {
      send(res, (await endpoints.list()).map(presentEndpoint));
    },
    async get(req: Request, res: Response) {
      send(res, presentEndpoint(await endpoints.get(endpointId(req))));
    },
    async remove(req: Request, res: Response) {
      const id = endpointId(req);
      await endpoints.remove(id);
      send(res, { endpointId: id, deleted: true as const });
    },
    async rollSecret(req: Request, res: Response) {
      const id = endpointId(req);
      const { overlapHours } = parseInput(RollSecretInput, req.body ?? {});
      const { endpoint, secret } = await endpoints.rollSecret(id, overlapHours);
      send(res, { ...presentEndpoint(endpoint), secret });
    },
    async opsList(_req: Request, res: Response) {
      const rows = await endpoints.listWithCounts();
      send(
        res,
        rows.map(({ endpoint, counts }: { endpoint: WebhookEndpointRecord; counts: EndpointDeliveryCounts }) => ({
          ...presentEndpoint(endpoint),
          deliveries: counts,
        })),
      );
    },
    async deliveries(req: Request, res: Response) {
      const id = endpointId(req);
      const query = parseInput(DeliveryListQuery, req.query, 'query');
      const { deliveries, total } = await endpoints.deliveries(id, query.status, query.limit, query.offset);
      sendPage(res, deliveries.map(presentDelivery), {
        totalDeliveries: total,
        limit: query.limit,
        offset: query.offset,
      });
    },
    async redeliver(req: Request, res: Response) {
      const { deliveryId } = parseInput(DeliveryIdParam, req.params, 'deliveryId');
      send(res, presentDelivery(await endpoints.redeliver(deliveryId)), 202);
    },
    async enable(req: Request, res: Response) {
      send(res, presentEndpoint(await endpoints.enable(endpointId(req))));
    },
    async emails(req: Request, res: Response) {
      const query = parseInput(EmailListQuery, req.query, 'query');
      const { emails, total } = await endpoints.emails(query.status, query.limit, query.offset);
      sendPage(res, emails.map(presentEmail), { totalEmails: total, limit: query.limit, offset: query.offset });
    },
  };
}
