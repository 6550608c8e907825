import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { handleEventJob, startEventDispatcher } from '../../src/bootstrap/event-delivery';
import { createSmtpMailer } from '../../src/events/mailer';
import { silentLogger } from '../../src/logger';
import { createBullmqEventQueue, startBullmqEventWorker } from '../../src/queue/bullmq-event-queue';
import type { EventSettings } from '../../src/services/event-wiring';
import { ADDRESS, admin, ops, REDIS_URL, startPlacementHarness, waitFor, type Line } from './placement-harness';
import { bearer } from './tokens';
import { startSmtpSink, type SmtpSink } from './smtp-sink';
import { startWebhookReceiver } from './webhook-receiver';

export { admin, ops, waitFor };

/**
 * The placement pipeline plus events out: a BullMQ events queue and worker (unique name and prefix), the outbox
 * dispatcher on a short interval, a webhook receiver and (optionally) an SMTP server on loopback. Retries start at
 * 100 ms so an outage of a second spans several tries.
 */
export async function startEventsHarness(options: { smtp?: boolean; settings?: Partial<EventSettings> } = {}) {
  const prefix = `test-events-${randomBytes(4).toString('hex')}`;
  const queueName = `events-${randomBytes(6).toString('hex')}`;
  const smtp: SmtpSink | null = options.smtp === false ? null : await startSmtpSink();
  const mailer = smtp ? createSmtpMailer(smtp.url) : null;
  const receiver = await startWebhookReceiver();
  const queue = createBullmqEventQueue({ redisUrl: REDIS_URL, queueName, prefix });
  const placement = await startPlacementHarness({
    events: {
      enqueue: (jobs) => queue.enqueue(jobs),
      mailer,
      settings: { retryBaseMs: 100, maxAttempts: 20, ...options.settings },
    },
  });
  const services = placement.app.services;
  const worker = startBullmqEventWorker({ redisUrl: REDIS_URL, queueName, prefix, handler: handleEventJob(services) });
  const dispatcher = startEventDispatcher(services, silentLogger, { dispatchIntervalMs: 50, sweepIntervalMs: 1_000 });

  const harness = {
    ...placement,
    receiver,
    smtp,
    /** Registers the receiver for `events` (all by default) and returns the endpoint with its one-time secret. */
    async registerEndpoint(events: string[] = ['*']) {
      const res = await placement.http
        .post('/api/v1/admin/webhook-endpoints')
        .set(admin)
        .send({ url: receiver.url, events, description: 'shopping app' })
        .expect(201);
      return res.body.data as { endpointId: string; secret: string; url: string; events: string[] };
    },
    /** A checkout to ADDRESS with the shopper's email, paid with a Visa; answers place's data. */
    async checkoutWithEmail(userId: string, email: string, lines: Line[]) {
      const shopper = bearer(userId);
      for (const { quantity = 1, ...line } of lines)
        await placement.http
          .post('/api/v1/cart/items')
          .set(shopper)
          .send({ quantity, ...line })
          .expect(201);
      const sessionId = (await placement.http.post('/api/v1/checkout/sessions').set(shopper).expect(201)).body.data
        .sessionId as string;
      await placement.http
        .put(`/api/v1/checkout/sessions/${sessionId}/shipping`)
        .set(shopper)
        .send({ ...ADDRESS, email })
        .expect(200);
      await placement.http
        .put(`/api/v1/checkout/sessions/${sessionId}/payment`)
        .set(shopper)
        .send({ paymentMethodId: 'pm_card_visa' })
        .expect(200);
      const placed = await placement.http
        .post(`/api/v1/checkout/sessions/${sessionId}/place`)
        .set(shopper)
        .set('Idempotency-Key', `place-${sessionId}`)
        .expect(201);
      return { sessionId, ...placed.body.data } as {
        sessionId: string;
        chargedCents: number;
        orders: { orderNumber: string; storeName: string; totalCents: number }[];
      };
    },
    async deliveries(endpointId: string) {
      return (
        await placement.http
          .get(`/api/v1/ops/webhook-endpoints/${endpointId}/deliveries`)
          .query({ limit: 100 })
          .set(ops)
          .expect(200)
      ).body.data as any[];
    },
    /** The session's events in the order they were written (the outbox seq). */
    async writtenEvents(sessionId: string) {
      return placement.database
        .db('outbox_events')
        .where({ checkout_session_id: sessionId })
        .orderBy('seq')
        .select('event_id', 'type');
    },
    async close() {
      await dispatcher.stop();
      await worker.close();
      await queue.close();
      mailer?.close();
      await placement.close();
      await deleteKeys(`${prefix}:${queueName}:*`);
      await receiver.close();
      await smtp?.close();
    },
  };
  return harness;
}

export type EventsHarness = Awaited<ReturnType<typeof startEventsHarness>>;

async function deleteKeys(pattern: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    for await (const keys of redis.scanStream({ match: pattern, count: 500 })) {
      if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
    }
  } finally {
    await redis.quit();
  }
}
