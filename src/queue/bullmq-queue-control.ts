import { Queue, type Job } from 'bullmq';
import { silentLogger, type Logger } from '../logger';
import { defaultBreakerPolicy } from './breaker-state';
import {
  bullmqConnection,
  DEFAULT_PREFIX,
  gateKeyPrefix,
  openGateClient,
  type QueueLocation,
  type RedisTarget,
} from './bullmq-connection';
import { methodQueueName, QUEUE_METHODS } from './placement-methods';
import type { PlacementJob, PlacementQueueControl } from './placement-queue';
import { createRedisCircuitBreaker } from './redis-circuit-breaker';

export interface BullmqQueueControl extends PlacementQueueControl {
  /** Every placement queue, for Bull Board: one per method, then the single queue of earlier versions. */
  queues: Queue<PlacementJob>[];
  close(): Promise<void>;
}

const PAGE = 500;

/**
 * The API process's view of the BullMQ placement queues (`queueName` is the base name): the breakers the workers
 * share through Redis (read only), and the release of a resumed store's jobs. A paused store's jobs sit in BullMQ's
 * delayed sets; promoting them in the order they were added puts them at the head of their wait list in that order,
 * so they start in it.
 */
export function createBullmqQueueControl(
  options: RedisTarget & QueueLocation & { logger?: Logger },
): BullmqQueueControl {
  const logger = options.logger ?? silentLogger;
  const names = [...QUEUE_METHODS.map((method) => methodQueueName(options.queueName, method)), options.queueName];
  const queues = names.map((name) => {
    const queue = new Queue<PlacementJob>(name, {
      connection: bullmqConnection(options),
      prefix: options.prefix ?? DEFAULT_PREFIX,
    });
    queue.on('error', (err) => logger.error({ err, queue: name }, 'placement queue control error'));
    return queue;
  });
  const gateClient = openGateClient(options, (err) => logger.error({ err }, 'placement gate Redis error'));
  const breaker = createRedisCircuitBreaker({
    redis: gateClient.redis,
    keyPrefix: gateKeyPrefix(options),
    policy: defaultBreakerPolicy,
  });

  async function delayedJobsOf(queue: Queue<PlacementJob>, storeId: string): Promise<Job<PlacementJob>[]> {
    const found: Job<PlacementJob>[] = [];
    for (let start = 0; ; start += PAGE) {
      const page = await queue.getDelayed(start, start + PAGE - 1);
      found.push(...page.filter((job) => job?.data.storeId === storeId));
      if (page.length < PAGE) return found;
    }
  }

  return {
    queues,
    getBreakerState: (storeId) => breaker.getState(storeId),
    async releaseStore(storeId) {
      const held = await Promise.all(queues.map((queue) => delayedJobsOf(queue, storeId)));
      const jobs = held.flat().sort((a, b) => a.timestamp - b.timestamp);
      let released = 0;
      for (const job of jobs) {
        try {
          await job.promote();
          released++;
        } catch (err) {
          // A worker took it meanwhile (its recheck fell due): nothing to release.
          logger.debug({ err, jobId: job.id }, 'held placement job was no longer delayed');
        }
      }
      return released;
    },
    async close() {
      await Promise.all(queues.map((queue) => queue.close()));
      await gateClient.release();
    },
  };
}
