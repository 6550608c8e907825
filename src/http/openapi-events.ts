import { z } from 'zod';
import type { AddOperation } from './openapi-operation';
import {
  CreateWebhookEndpointInput,
  DeletedWebhookEndpoint,
  DeliveryIdParam,
  DeliveryListQuery,
  EmailListQuery,
  EndpointIdParam,
  OpsWebhookEndpoint,
  RollSecretInput,
  ShopperEmail,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
} from './schemas/webhook-endpoints';

/** Outbound webhooks (admin registers, ops watch and redeliver) and the shopper mails ops can read. */
export function describeEventsOut(add: AddOperation): void {
  const admin = ['Admin'];
  const notFound = { 403: 'forbidden', 404: 'not_found' };
  add('post', '/admin/webhook-endpoints', {
    summary: 'Register a webhook endpoint of the shopping app; the signing secret is in this answer only',
    tags: admin,
    body: CreateWebhookEndpointInput,
    response: WebhookEndpointWithSecret,
    status: 201,
    errors: { 403: 'forbidden' },
  });
  add('get', '/admin/webhook-endpoints', {
    summary: 'Webhook endpoints (no secrets)',
    tags: admin,
    response: z.array(WebhookEndpoint),
    errors: { 403: 'forbidden' },
  });
  add('get', '/admin/webhook-endpoints/{endpointId}', {
    summary: 'One webhook endpoint',
    tags: admin,
    params: EndpointIdParam,
    response: WebhookEndpoint,
    errors: notFound,
  });
  add('delete', '/admin/webhook-endpoints/{endpointId}', {
    summary: 'Delete an endpoint and its deliveries',
    tags: admin,
    params: EndpointIdParam,
    response: DeletedWebhookEndpoint,
    errors: notFound,
  });
  add('post', '/admin/webhook-endpoints/{endpointId}/roll-secret', {
    summary: 'A new signing secret (shown once); the old one keeps signing beside it for overlapHours',
    tags: admin,
    params: EndpointIdParam,
    body: RollSecretInput,
    response: WebhookEndpointWithSecret,
    errors: notFound,
  });
  const ops = ['Ops'];
  add('get', '/ops/webhook-endpoints', {
    summary: 'Webhook endpoints with their delivery counts, disabled ones with why',
    tags: ops,
    response: z.array(OpsWebhookEndpoint),
    errors: { 403: 'forbidden' },
  });
  add('get', '/ops/webhook-endpoints/{endpointId}/deliveries', {
    summary: 'An endpoint’s deliveries, newest first: status, tries, last answer or error, next try',
    tags: ops,
    params: EndpointIdParam,
    query: DeliveryListQuery,
    response: WebhookDelivery,
    pageTotal: 'totalDeliveries',
    errors: notFound,
  });
  add('post', '/ops/webhook-endpoints/{endpointId}/enable', {
    summary: 'Enable an endpoint disabled for failing; what waited is sent',
    tags: ops,
    params: EndpointIdParam,
    response: WebhookEndpoint,
    errors: notFound,
  });
  add('post', '/ops/webhook-deliveries/{deliveryId}/redeliver', {
    summary: 'Send a delivery again (same event id)',
    tags: ops,
    params: DeliveryIdParam,
    response: WebhookDelivery,
    status: 202,
    errors: notFound,
  });
  add('get', '/ops/emails', {
    summary: 'Mails to shoppers, newest first (without SMTP they are kept here)',
    tags: ops,
    query: EmailListQuery,
    response: ShopperEmail,
    pageTotal: 'totalEmails',
    errors: { 403: 'forbidden' },
  });
}
