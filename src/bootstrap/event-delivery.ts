import type { Config } from '../config';
import { createSmtpMailer, type Mailer } from '../events/mailer';
import type { Logger } from '../logger';
import { createBullmqEventQueue, startBullmqEventWorker, type EventWorkerHandle } from '../queue/bullmq-event-queue';
import type { EventJob, EventJobHandler, EventQueue } from '../queue/event-queue';
import { createInProcessEventQueue } from '../queue/in-process-event-queue';
import type { Services } from '../services/create-services';
import type { EventSettings } from '../services/event-wiring';

/** What a send job does, by its kind. */
export const handleEventJob =
  (services: Services): EventJobHandler =>
  (job) =>
    job.kind === 'webhook' ? services.webhookDelivery.deliver(job.id) : services.emailDelivery.send(job.id);

export function eventSettingsFrom(config: Config): Partial<EventSettings> {
  return {
    retryBaseMs: config.EVENT_RETRY_BASE_MS,
    maxAttempts: config.EVENT_MAX_ATTEMPTS,
    disableAfterMs: config.WEBHOOK_DISABLE_AFTER_HOURS * 3_600_000,
    webhookTimeoutMs: config.WEBHOOK_TIMEOUT_MS,
    mailFrom: config.MAIL_FROM,
  };
}

export interface EventChannel {
  queue: EventQueue;
  mailer: Mailer | null;
  /** Starts sending with the services built on this queue's enqueue (the consumer, when this process has one). */
  start(services: Services): void;
  close(): Promise<void>;
}

/**
 * The events queue of a process: BullMQ with REDIS_URL (consumed by `npm run worker`, or here with `consume`),
 * else in this process. Sending starts with `start`, once the services that enqueue into it are built.
 */
export function openEventQueue(config: Config, logger: Logger, { consume }: { consume: boolean }): EventChannel {
  const mailer = config.SMTP_URL ? createSmtpMailer(config.SMTP_URL) : null;
  let worker: EventWorkerHandle | null = null;
  const inProcess = config.REDIS_URL ? null : createInProcessEventQueue({ logger });
  const queue: EventQueue =
    inProcess ?? createBullmqEventQueue({ redisUrl: config.REDIS_URL!, queueName: config.EVENTS_QUEUE_NAME, logger });
  return {
    queue,
    mailer,
    start(services) {
      const handler = handleEventJob(services);
      if (inProcess) inProcess.start(handler);
      else if (consume)
        worker = startBullmqEventWorker({
          redisUrl: config.REDIS_URL!,
          queueName: config.EVENTS_QUEUE_NAME,
          handler,
          logger,
        });
    },
    async close() {
      await worker?.close();
      await queue.close();
      mailer?.close();
    },
  };
}

/**
 * Fans the outbox out every `dispatchIntervalMs` and, every `sweepIntervalMs`, queues again sends whose job was
 * lost. Safe on every instance at once: one dispatcher at a time takes the outbox's turn.
 */
export function startEventDispatcher(
  services: Services,
  logger: Logger,
  { dispatchIntervalMs = 250, sweepIntervalMs = 15_000 } = {},
): { stop(): Promise<void>; kick(): void } {
  let running: Promise<void> | null = null;
  let stopped = false;
  let lastSweep = 0;
  const tick = async () => {
    try {
      await services.eventDispatch.dispatchPending();
      if (Date.now() - lastSweep >= sweepIntervalMs) {
        lastSweep = Date.now();
        const resumed = await services.eventDispatch.resumeSends();
        if (resumed > 0) logger.info({ resumed }, 'event sends queued again');
      }
    } catch (err) {
      logger.error({ err }, 'event dispatch failed; will try again');
    }
  };
  const kick = () => {
    if (stopped) return;
    running ??= tick().finally(() => {
      running = null;
    });
  };
  const timer = setInterval(kick, dispatchIntervalMs);
  timer.unref();
  kick();
  return {
    kick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

export type { EventJob };
