import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { methodQueueName, QUEUE_METHODS } from '../../src/queue/placement-methods';

export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const uniqueQueueName = (purpose: string) => `bench-${purpose}-${randomBytes(4).toString('hex')}`;

/**
 * Deletes the queue and everything under its key prefix: BullMQ's obliterate removes the jobs and the queue's own
 * keys, then a scan removes what lives beside them (the placement store gates, event streams).
 */
export async function obliterateQueue(queueName: string): Promise<void> {
  // The placement queue is one queue per method beside the base name.
  for (const name of [queueName, ...QUEUE_METHODS.map((method) => methodQueueName(queueName, method))]) {
    const queue = new Queue(name, { connection: { url: REDIS_URL } });
    try {
      await queue.obliterate({ force: true });
    } finally {
      await queue.close();
    }
  }
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `bull:${queueName}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}
