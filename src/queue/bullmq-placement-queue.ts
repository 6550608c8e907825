import { Queue, type JobsOptions } from 'bullmq';
import type { Logger } from 'pino';
import { silentLogger } from '../logger';
import { bullmqConnection, DEFAULT_PREFIX, type QueueLocation, type RedisTarget } from './bullmq-connection';
import { placementJobKey, type PlacementJob, type PlacementQueue } from './placement-queue';

export const PLACEMENT_JOB_NAME = 'place';
/** Names our backoff in each job's options; BullMQ computes it in the worker (its `settings.backoffStrategy`). */
const PLACEMENT_BACKOFF = 'placement';

export type BullmqPlacementQueueOptions = RedisTarget &
  QueueLocation & {
    /** Tries per job, the first included. */
    attempts?: number;
    /**
     * How long finished jobs are kept (and so how long a late duplicate enqueue of the same order stays a no-op).
     * Stripe re-delivers a webhook for up to three days, so the default week outlasts any duplicate we expect;
     * after it the domain handler's own idempotence (order already placed → return) is the only guard.
     * BullMQ evicts aged jobs only when another job finishes, so this is a minimum, never cut short.
     */
    dedupeWindowMs?: number;
    logger?: Logger;
  };

const WEEK_MS = 7 * 24 * 60 * 60_000;

/** The producer side: what the API process uses to hand paid store orders to the workers. */
export function createBullmqPlacementQueue(options: BullmqPlacementQueueOptions): PlacementQueue {
  const queue = new Queue<PlacementJob>(options.queueName, {
    connection: bullmqConnection(options),
    prefix: options.prefix ?? DEFAULT_PREFIX,
  });
  // An 'error' event nobody listens to would crash the process; a failed add still rejects enqueue().
  const logger = options.logger ?? silentLogger;
  queue.on('error', (err) => logger.error({ err, queue: options.queueName }, 'placement queue error'));
  const keepSeconds = Math.ceil((options.dedupeWindowMs ?? WEEK_MS) / 1000);
  const jobOptions: JobsOptions = {
    attempts: options.attempts ?? 6,
    backoff: { type: PLACEMENT_BACKOFF },
    // Kept by age only: a count limit would evict under load exactly when duplicates are most likely.
    removeOnComplete: { age: keepSeconds },
    removeOnFail: { age: keepSeconds },
  };

  return {
    async enqueue(jobs) {
      if (jobs.length === 0) return;
      // jobId = order number: BullMQ ignores an add whose id already exists (waiting, delayed, active or kept).
      await queue.addBulk(
        jobs.map((job) => ({
          name: PLACEMENT_JOB_NAME,
          data: { orderNumber: job.orderNumber, storeId: job.storeId, ...(job.runKey ? { runKey: job.runKey } : {}) },
          opts: { ...jobOptions, jobId: placementJobId(placementJobKey(job)) },
        })),
      );
    },
    close: () => queue.close(),
  };
}

/**
 * BullMQ rejects custom ids that contain ':' or read as integers (they would clash with its keys and its own ids),
 * and silently generates one for an empty id, which would defeat the dedupe.
 */
export function placementJobId(orderNumber: string): string {
  if (!orderNumber || orderNumber.includes(':') || `${parseInt(orderNumber, 10)}` === orderNumber) {
    throw new Error(`order number ${JSON.stringify(orderNumber)} cannot be a BullMQ job id`);
  }
  return orderNumber;
}
