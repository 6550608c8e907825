import { z } from 'zod';
import { EVENT_TYPES } from '../../domain/events';
import { pagination } from './common';

export const EndpointIdParam = z.object({
  endpointId: z.string().regex(/^we_[A-Za-z0-9]{1,40}$/, 'must be a webhook endpoint id (we_…)'),
});
export const DeliveryIdParam = z.object({ deliveryId: z.string().regex(/^\d{1,18}$/, 'must be a delivery id') });

const eventType = z.enum([...EVENT_TYPES, '*']);

export const CreateWebhookEndpointInput = z
  .object({
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000),
    events: z
      .array(eventType)
      .min(1, 'name at least one event type, or "*" for all')
      .max(EVENT_TYPES.length + 1),
    description: z.string().trim().max(200).optional(),
  })
  .strict()
  .meta({ id: 'CreateWebhookEndpointInput' });

export const RollSecretInput = z
  .object({
    overlapHours: z
      .number()
      .int()
      .min(0)
      .max(168)
      .default(24)
      .meta({ description: 'How long the old secret keeps signing beside the new one' }),
  })
  .strict()
  .meta({ id: 'RollSecretInput' });

export const WebhookEndpoint = z
  .object({
    endpointId: z.string(),
    url: z.string(),
    description: z.string().nullable(),
    events: z.array(z.string()),
    status: z.enum(['enabled', 'disabled']),
    disabledReason: z.string().nullable(),
    failingSince: z.iso.datetime().nullable(),
    previousSecretExpiresAt: z.iso
      .datetime()
      .nullable()
      .meta({ description: 'While set and in the future, the old secret signs too' }),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'WebhookEndpoint' });

/** Only when created or rolled: the secret is never shown again. */
export const WebhookEndpointWithSecret = WebhookEndpoint.extend({
  secret: z.string().meta({ example: 'whsec_…' }),
}).meta({ id: 'WebhookEndpointWithSecret' });

export const DeletedWebhookEndpoint = z
  .object({ endpointId: z.string(), deleted: z.literal(true) })
  .meta({ id: 'DeletedWebhookEndpoint' });

const counts = z.object({ pending: z.number().int(), succeeded: z.number().int(), failed: z.number().int() });
export const OpsWebhookEndpoint = WebhookEndpoint.extend({ deliveries: counts }).meta({ id: 'OpsWebhookEndpoint' });

export const DeliveryListQuery = pagination.extend({ status: z.enum(['pending', 'succeeded', 'failed']).optional() });

export const WebhookDelivery = z
  .object({
    deliveryId: z.string(),
    endpointId: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    checkoutSessionId: z.string(),
    orderNumber: z.string().nullable(),
    status: z.enum(['pending', 'succeeded', 'failed']),
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    lastAttemptAt: z.iso.datetime().nullable(),
    nextAttemptAt: z.iso.datetime().nullable(),
    deliveredAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'WebhookDelivery' });

export const EmailListQuery = pagination.extend({
  status: z.enum(['pending', 'sending', 'sent', 'failed', 'kept']).optional(),
});

export const ShopperEmail = z
  .object({
    emailId: z.string(),
    eventId: z.string(),
    template: z.string(),
    to: z.string(),
    subject: z.string(),
    status: z.enum(['pending', 'sending', 'sent', 'failed', 'kept']),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    sentAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    text: z.string(),
    html: z.string(),
  })
  .meta({ id: 'ShopperEmail' });
