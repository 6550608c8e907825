import { EVENT_SIGNATURE_HEADER, signEventPayload } from '../domain/event-signature';
import { eventRetryDelayMs, type EventJobOutcome } from '../queue/event-queue';
import { markEndpointFailing, markEndpointHealthy } from '../repositories/webhook-endpoints-repository';
import {
  findDeliveryToSend,
  hasEarlierPending,
  nextPendingInLine,
  claimDelivery,
  recordDeliveryFailure,
  recordDeliverySuccess,
  type DeliveryToSend,
} from '../repositories/webhook-deliveries-repository';
import type { EventWiring } from './event-wiring';
import type { ServiceDeps } from './service-deps';

const DONE: EventJobOutcome = { kind: 'done' };

/**
 * Sends one webhook delivery: POSTs the event's fixed body, signed with the endpoint's secret(s), and records the
 * answer. Events of one checkout go out in order: a delivery waits while an earlier one of its line (endpoint and
 * checkout) is still pending, and each settled delivery queues the next. At least once: the receiver drops
 * repeats by the event id.
 */
export function createWebhookDeliveryService(deps: ServiceDeps, wiring: EventWiring) {
  const { db, clock, logger } = deps;
  const { settings } = wiring;

  async function queueNextInLine(delivery: DeliveryToSend): Promise<void> {
    const next = await nextPendingInLine(db, delivery.endpointId, delivery.orderingKey);
    if (next) await wiring.enqueue([{ kind: 'webhook', id: next, tag: `after${delivery.id}` }]);
  }

  async function post(
    delivery: DeliveryToSend,
    now: Date,
  ): Promise<{ statusCode: number | null; error: string | null }> {
    const rolling =
      delivery.previousSecret && delivery.previousSecretExpiresAt && delivery.previousSecretExpiresAt > now;
    const secrets = rolling ? [delivery.secret, delivery.previousSecret!] : [delivery.secret];
    try {
      const res = await fetch(delivery.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(settings.webhookTimeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'mor-checkout-webhooks/1',
          [EVENT_SIGNATURE_HEADER]: signEventPayload(delivery.body, secrets, Math.floor(now.getTime() / 1000)),
          'Mor-Event-Id': delivery.eventId,
          'Mor-Event-Type': delivery.eventType,
        },
        body: delivery.body,
      });
      await res.arrayBuffer().catch(() => undefined);
      return { statusCode: res.status, error: res.ok ? null : `HTTP ${res.status}` };
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      return { statusCode: null, error: [(err as Error).message, cause].filter(Boolean).join(': ') };
    }
  }

  return {
    async deliver(id: string): Promise<EventJobOutcome> {
      const delivery = await findDeliveryToSend(db, id);
      // Settled, deleted, or its endpoint disabled (enabling it queues its deliveries again).
      if (!delivery || delivery.status !== 'pending' || delivery.endpointStatus !== 'enabled') return DONE;
      // Its turn comes when the earlier one is settled: that one queues this.
      if (await hasEarlierPending(db, delivery)) return DONE;

      const now = clock.now();
      // The lease outlives the request's timeout, so it lapses only if this process died mid-send.
      if (!(await claimDelivery(db, id, now, new Date(now.getTime() + settings.webhookTimeoutMs + 30_000))))
        return DONE;
      const { statusCode, error } = await post(delivery, now);
      if (error === null) {
        await recordDeliverySuccess(db, id, statusCode!, now);
        await markEndpointHealthy(db, delivery.endpointId);
        await queueNextInLine(delivery);
        return DONE;
      }

      const attempts = delivery.attempts + 1;
      const giveUp = attempts >= settings.maxAttempts;
      const delayMs = eventRetryDelayMs(attempts, settings.retryBaseMs);
      await recordDeliveryFailure(
        db,
        id,
        { statusCode, error, nextAttemptAt: giveUp ? null : new Date(now.getTime() + delayMs) },
        now,
      );
      const disableBefore = new Date(now.getTime() - settings.disableAfterMs);
      const hours = Math.round(settings.disableAfterMs / 3_600_000);
      const disabled = await markEndpointFailing(
        db,
        delivery.endpointId,
        now,
        disableBefore,
        `no delivery succeeded for over ${hours} h; last error: ${error}`,
      );
      if (disabled) {
        logger.error(
          { endpointId: delivery.endpointId, url: delivery.url, lastError: error },
          'webhook endpoint disabled: it has failed for days. Ops: fix it, then enable it in the dashboard',
        );
      }
      if (giveUp) {
        logger.warn({ deliveryId: id, eventId: delivery.eventId, attempts }, 'webhook delivery given up');
        await queueNextInLine(delivery);
        return DONE;
      }
      return disabled ? DONE : { kind: 'retry', delayMs, error };
    },
  };
}

export type WebhookDeliveryService = ReturnType<typeof createWebhookDeliveryService>;
