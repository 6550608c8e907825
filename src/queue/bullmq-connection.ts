import { Redis } from 'ioredis';

/** Where the queue lives: a client the caller owns, or a URL from which we open (and later close) our own. */
export type RedisTarget =
  | {
      /** Shared ioredis client; never closed here. BullMQ workers require it to have `maxRetriesPerRequest: null`. */
      connection: Redis;
      redisUrl?: never;
    }
  | { redisUrl: string; connection?: never };

export interface QueueLocation {
  queueName: string;
  /** BullMQ's key prefix; a unique one per test file keeps parallel runs apart. Defaults to BullMQ's `bull`. */
  prefix?: string;
}

export const DEFAULT_PREFIX = 'bull';

/** BullMQ's connection option for a target: the shared client, or a URL BullMQ opens its own connections from. */
export function bullmqConnection(target: RedisTarget): Redis | { url: string } {
  return target.connection ?? { url: target.redisUrl! };
}

/** A client for our own keys (store slots, breakers), and how to let go of it. */
export function openGateClient(
  target: RedisTarget,
  onError: (err: Error) => void,
): { redis: Redis; release(): Promise<void> } {
  if (target.connection) return { redis: target.connection, release: async () => undefined };
  // Like BullMQ's worker connections: wait out a Redis blip rather than fail the job that asked.
  const redis = new Redis(target.redisUrl!, { maxRetriesPerRequest: null });
  redis.on('error', onError);
  return {
    redis,
    async release() {
      await redis.quit();
    },
  };
}

/**
 * Namespace for the store slots and breakers, beside the queue's own keys so one `prefix` scopes everything.
 * Job ids cannot contain ':', so no job key can collide with `…:gate:…`.
 */
export function gateKeyPrefix({ queueName, prefix = DEFAULT_PREFIX }: QueueLocation): string {
  return `${prefix}:${queueName}:gate`;
}
