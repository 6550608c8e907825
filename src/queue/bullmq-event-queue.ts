import { Queue, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { silentLogger } from '../logger';
import { bullmqConnection, DEFAULT_PREFIX, type QueueLocation, type RedisTarget } from './bullmq-connection';
import { eventJobId, type EventJob, type EventJobHandler, type EventQueue } from './event-queue';

const EVENT_BACKOFF = 'event';

/** A retry outcome as an error, so BullMQ retries the job and our backoff strategy reads the delay it asks for. */
class RetryLater extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
    this.name = 'RetryLater';
  }
}

export type BullmqEventQueueOptions = RedisTarget & QueueLocation & { logger?: Logger };

/**
 * The producer side. Jobs are removed once finished: the row in the database keeps the outcome, and a later
 * add of the same id (the next in a line, a redelivery, the sweep) must be able to run again. The tries are
 * counted in the row; BullMQ's own attempts only bound a job that keeps crashing its worker.
 */
export function createBullmqEventQueue(options: BullmqEventQueueOptions): EventQueue {
  const queue = new Queue<EventJob>(options.queueName, {
    connection: bullmqConnection(options),
    prefix: options.prefix ?? DEFAULT_PREFIX,
  });
  const logger = options.logger ?? silentLogger;
  queue.on('error', (err) => logger.error({ err, queue: options.queueName }, 'events queue error'));
  return {
    async enqueue(jobs) {
      if (jobs.length === 0) return;
      await queue.addBulk(
        jobs.map((job) => ({
          name: job.kind,
          data: { kind: job.kind, id: job.id, ...(job.tag ? { tag: job.tag } : {}) },
          opts: {
            jobId: eventJobId(job),
            attempts: 100,
            backoff: { type: EVENT_BACKOFF },
            removeOnComplete: true,
            removeOnFail: true,
          },
        })),
      );
    },
    close: () => queue.close(),
  };
}

export interface EventWorkerHandle {
  close(): Promise<void>;
}

/** The consumer side: runs in `npm run worker` processes, any number of them. */
export function startBullmqEventWorker(
  options: BullmqEventQueueOptions & { handler: EventJobHandler; concurrency?: number },
): EventWorkerHandle {
  const logger = options.logger ?? silentLogger;
  const worker = new Worker<EventJob>(
    options.queueName,
    async (job: Job<EventJob>) => {
      const outcome = await options.handler(job.data);
      if (outcome.kind === 'retry') throw new RetryLater(outcome.error, outcome.delayMs);
    },
    {
      connection: bullmqConnection(options),
      prefix: options.prefix ?? DEFAULT_PREFIX,
      concurrency: options.concurrency ?? 20,
      settings: { backoffStrategy: (_attemptsMade, _type, err) => (err instanceof RetryLater ? err.delayMs : 5_000) },
    },
  );
  worker.on('error', (err) => logger.error({ err }, 'events worker error'));
  return { close: () => worker.close() };
}
