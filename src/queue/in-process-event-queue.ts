import type { Logger } from 'pino';
import { silentLogger } from '../logger';
import { eventJobId, type EventJob, type EventJobHandler, type EventQueue } from './event-queue';

export interface InProcessEventQueue extends EventQueue {
  /** Resolves once nothing is queued or running (jobs waiting out a retry delay do not count). For tests. */
  idle(): Promise<void>;
  /** Starts sending with this handler (once; jobs enqueued before wait for it). */
  start(handler: EventJobHandler): void;
}

/**
 * The events queue without Redis (the embedded default): the same semantics as the BullMQ one (dedupe by job id
 * while queued, running or waiting to retry; the retry delay the handler asks for) in memory. Not durable: the
 * sweep re-queues from the database whatever a stopped process forgot.
 */
/** The handler may be given later, with `start`: the services it calls are built with this queue's enqueue. */
export function createInProcessEventQueue(options: {
  handler?: EventJobHandler;
  concurrency?: number;
  logger?: Logger;
}): InProcessEventQueue {
  const concurrency = options.concurrency ?? 10;
  const logger = options.logger ?? silentLogger;
  const known = new Map<string, { job: EventJob; timer?: NodeJS.Timeout }>();
  const ready: EventJob[] = [];
  let running = 0;
  let closed = false;
  let idleWaiters: Array<() => void> = [];
  let handler: EventJobHandler | null = options.handler ?? null;

  function pump(): void {
    while (handler && !closed && running < concurrency && ready.length > 0) void run(ready.shift()!);
    if (running === 0 && ready.length === 0) {
      for (const resolve of idleWaiters) resolve();
      idleWaiters = [];
    }
  }

  async function run(job: EventJob): Promise<void> {
    running++;
    const key = eventJobId(job);
    try {
      const outcome = await handler!(job);
      if (outcome.kind === 'retry' && !closed) {
        const entry = known.get(key)!;
        entry.timer = setTimeout(() => {
          entry.timer = undefined;
          ready.push(job);
          pump();
        }, outcome.delayMs);
        entry.timer.unref();
      } else {
        known.delete(key);
      }
    } catch (err) {
      // A database error, say: drop the job; the sweep queues the row again.
      logger.error({ err, job }, 'event send crashed; the sweep will retry it');
      known.delete(key);
    } finally {
      running--;
      pump();
    }
  }

  return {
    start(given) {
      if (handler) throw new Error('event queue already started');
      handler = given;
      pump();
    },
    async enqueue(jobs) {
      if (closed) return;
      for (const job of jobs) {
        const key = eventJobId(job);
        if (known.has(key)) continue;
        known.set(key, { job });
        ready.push(job);
      }
      pump();
    },
    idle: () =>
      new Promise((resolve) => {
        idleWaiters.push(resolve);
        pump();
      }),
    async close() {
      closed = true;
      for (const entry of known.values()) clearTimeout(entry.timer);
      ready.length = 0;
      await new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        pump();
      });
    },
  };
}
