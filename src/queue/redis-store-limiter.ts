import type { Redis } from 'ioredis';
import { defineRedisScript } from './redis-script';
import type { StoreLimiter } from './store-limiter';

export interface RedisStoreLimiterOptions {
  redis: Redis;
  /** Namespace for the limiter's keys, e.g. `bull:placement`. */
  keyPrefix: string;
  limit: number;
  /** How long a slot survives without renewal; a crashed holder's slot frees itself after this. */
  leaseMs: number;
  now?: () => number;
}

// One sorted set per store: member = holder, score = when its lease expires. Expired leases are purged before
// counting, so a worker killed mid-job costs the store one slot for at most `leaseMs`.
const ACQUIRE = `
local now, ttl, limit, holder = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], holder) and redis.call('ZCARD', KEYS[1]) >= limit then
  return 0
end
redis.call('ZADD', KEYS[1], now + ttl, holder)
redis.call('PEXPIRE', KEYS[1], ttl)
return 1`;

const RENEW = `
local now, ttl, holder = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local expires = redis.call('ZSCORE', KEYS[1], holder)
if not expires or tonumber(expires) <= now then
  return 0
end
redis.call('ZADD', KEYS[1], now + ttl, holder)
redis.call('PEXPIRE', KEYS[1], ttl)
return 1`;

/** A lease-based semaphore per store, shared by every worker process through Redis. */
export function createRedisStoreLimiter(options: RedisStoreLimiterOptions): StoreLimiter {
  const { redis, keyPrefix, limit, leaseMs, now = Date.now } = options;
  const acquire = defineRedisScript(redis, 'placementSlotAcquire', ACQUIRE);
  const renew = defineRedisScript(redis, 'placementSlotRenew', RENEW);
  const keyOf = (storeId: string) => `${keyPrefix}:store-slots:${storeId}`;

  return {
    async tryAcquire(storeId, holder) {
      return (await acquire(keyOf(storeId), now(), leaseMs, limit, holder)) === 1;
    },
    async renew(storeId, holder) {
      return (await renew(keyOf(storeId), now(), leaseMs, holder)) === 1;
    },
    async release(storeId, holder) {
      await redis.zrem(keyOf(storeId), holder);
    },
    async inFlight(storeId) {
      return redis.zcount(keyOf(storeId), `(${now()}`, '+inf');
    },
  };
}
