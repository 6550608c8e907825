import { Queue, type Job } from 'bullmq';
import { silentLogger, type Logger } from '../logger';
import { defaultBreakerPolicy } from './breaker-state';
import { bullmqConnection, DEFAULT_PREFIX, gateKeyPrefix, openGateClient, type QueueLocation, type RedisTarget } from './bullmq-connection';
import type { PlacementJob, PlacementQueueControl } from './placement-queue';
import { createRedisCircuitBreaker } from './redis-circuit-breaker';

export interface BullmqQueueControl extends PlacementQueueControl {
  /** The queue itself, for Bull Board. */
  queue: Queue<PlacementJob>;
  close(): Promise<void>;
}

const PAGE = 500;

/**
 * The API process's view of the BullMQ placement queue: the breakers the workers share through Redis (read only),
 * and the release of a resumed store's jobs. A paused store's jobs sit in BullMQ's delayed set; promoting them in
 * the order they were added puts them at the head of the wait list in that order, so they start in it.
 */
export function createBullmqQueueControl(options: RedisTarget & QueueLocation & { logger?: Logger }): BullmqQueueControl {
  const logger = options.logger ?? silentLogger;
  const queue = new Queue<PlacementJob>(options.queueName, { connection: bullmqConnection(options), prefix: options.prefix ?? DEFAULT_PREFIX });
  queue.on('error', (err) => logger.error({ err, queue: options.queueName }, 'placement queue control error'));
  const gateClient = openGateClient(options, (err) => logger.error({ err }, 'placement gate Redis error'));
  const breaker = createRedisCircuitBreaker({ redis: gateClient.redis, keyPrefix: gateKeyPrefix(options), policy: defaultBreakerPolicy });

  async function delayedJobsOf(storeId: string): Promise<Job<PlacementJob>[]> {
    const found: Job<PlacementJob>[] = [];
    for (let start = 0; ; start += PAGE) {
      const page = await queue.getDelayed(start, start + PAGE - 1);
      found.push(...page.filter((job) => job?.data.storeId === storeId));
      if (page.length < PAGE) return found;
    }
  }

  return {
    queue,
    getBreakerState: (storeId) => breaker.getState(storeId),
    async releaseStore(storeId) {
      const jobs = (await delayedJobsOf(storeId)).sort((a, b) => a.timestamp - b.timestamp);
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
      await queue.close();
      await gateClient.release();
    },
  };
}
