import { Queue, type JobsOptions } from 'bullmq';
import type { Logger } from 'pino';
import { silentLogger } from '../logger';
import {
  bullmqConnection,
  DEFAULT_PREFIX,
  openGateClient,
  type QueueLocation,
  type RedisTarget,
} from './bullmq-connection';
import { placementJobKey, type PlacementJob, type PlacementQueue } from './placement-queue';
import { methodQueueName, QUEUE_METHODS, type QueueMethod } from './placement-methods';
import { createPlacementRoutes, type MethodsOf } from './placement-routes';

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
    /** The method of orders whose job came without one (sweeps, ops retries, the old queue's jobs). */
    methodsOf: MethodsOf;
    logger?: Logger;
  };

export interface BullmqPlacementQueue extends PlacementQueue {
  /**
   * Moves a job to another method's queue: a worker found that its order now places by that method. The job's
   * route moves first, so a duplicate enqueue from then on lands on the new queue (and is deduplicated there).
   */
  handOff(job: PlacementJob, method: QueueMethod): Promise<void>;
}

const WEEK_MS = 7 * 24 * 60 * 60_000;

/**
 * The producer side: what the API process (and a worker's fallbacks and sweeps) use to hand store orders to the
 * workers. `queueName` is the base name; each job goes to its method's queue (see placement-methods.ts).
 *
 * jobId = order number holds across the queues: each job id is pinned in Redis to one method queue (its route) the
 * first time it is enqueued, and every later enqueue of that id goes to the same queue, where BullMQ's own dedupe
 * ignores it. Only a hand-off moves the route, and only from a worker that holds the job on the old queue.
 */
export function createBullmqPlacementQueue(options: BullmqPlacementQueueOptions): BullmqPlacementQueue {
  const logger = options.logger ?? silentLogger;
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const queues = new Map<QueueMethod, Queue<PlacementJob>>();
  for (const method of QUEUE_METHODS) {
    const name = methodQueueName(options.queueName, method);
    const queue = new Queue<PlacementJob>(name, { connection: bullmqConnection(options), prefix });
    // An 'error' event nobody listens to would crash the process; a failed add still rejects enqueue().
    queue.on('error', (err) => logger.error({ err, queue: name }, 'placement queue error'));
    queues.set(method, queue);
  }
  const keepMs = options.dedupeWindowMs ?? WEEK_MS;
  const redis = openGateClient(options, (err) => logger.error({ err }, 'placement routes Redis error'));
  const routes = createPlacementRoutes({
    redis: redis.redis,
    keyPrefix: `${prefix}:${options.queueName}:route`,
    keepMs,
    methodsOf: options.methodsOf,
  });
  const jobOptions: JobsOptions = {
    attempts: options.attempts ?? 6,
    backoff: { type: PLACEMENT_BACKOFF },
    // Kept by age only: a count limit would evict under load exactly when duplicates are most likely.
    removeOnComplete: { age: Math.ceil(keepMs / 1000) },
    removeOnFail: { age: Math.ceil(keepMs / 1000) },
  };

  async function add(method: QueueMethod, jobs: PlacementJob[]): Promise<void> {
    // jobId = order number: BullMQ ignores an add whose id already exists (waiting, delayed, active or kept).
    await queues.get(method)!.addBulk(
      jobs.map((job) => ({
        name: PLACEMENT_JOB_NAME,
        // The queue names the method; the data stays what the handler needs.
        data: { orderNumber: job.orderNumber, storeId: job.storeId, ...(job.runKey ? { runKey: job.runKey } : {}) },
        opts: { ...jobOptions, jobId: placementJobId(placementJobKey(job)) },
      })),
    );
  }

  return {
    async enqueue(jobs) {
      if (jobs.length === 0) return;
      const routed = await routes.claim(
        jobs.map((job) => ({
          jobId: placementJobId(placementJobKey(job)),
          orderNumber: job.orderNumber,
          method: job.method,
        })),
      );
      const byMethod = new Map<QueueMethod, PlacementJob[]>();
      jobs.forEach((job, i) => byMethod.set(routed[i]!, [...(byMethod.get(routed[i]!) ?? []), job]));
      await Promise.all([...byMethod].map(([method, group]) => add(method, group)));
    },
    async handOff(job, method) {
      const jobId = placementJobId(placementJobKey(job));
      await routes.move(jobId, method);
      // The id may have passed through this queue before (ops switched the store there and back): a finished
      // copy would swallow the add, and nothing would place the order.
      const target = queues.get(method)!;
      const state = await target.getJobState(jobId);
      if (state === 'completed' || state === 'failed') await target.remove(jobId);
      await add(method, [job]);
      logger.info({ orderNumber: job.orderNumber, method }, 'placement job handed to its method queue');
    },
    async close() {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
      await redis.release();
    },
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
