import type { Redis } from 'ioredis';
import { defineRedisScript } from './redis-script';
import type { StoreLimiter } from './store-limiter';

export interface RedisStoreLimiterOptions {
  redis: Redis;
  /** Namespace for the limiter's keys, e.g. `bull:placement`. */
  keyPrefix: string;
  limit: number;
  /** How long a slot survives without renewal (a small multiple of the worker heartbeat that renews it); a killed holder's slot frees itself after this. */
  leaseMs: number;
  now?: () => number;
}

// Per store, a sorted set of the orders holding a slot (score = when the lease expires), and per store a hash of
// which run of each order holds it. Expired leases are purged before counting, so a worker killed mid-job costs
// the store one slot (and its order a wait) for at most `leaseMs`, a few heartbeats.
// KEYS: slots, runs. ARGV: now, ttl, limit, order, run. Returns 1 acquired, 0 store busy, -1 order busy.
const ACQUIRE = `
local now, ttl, limit, order, run = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5]
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
if #expired > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  redis.call('HDEL', KEYS[2], unpack(expired))
end
if redis.call('ZSCORE', KEYS[1], order) then
  if redis.call('HGET', KEYS[2], order) ~= run then
    return -1
  end
elseif redis.call('ZCARD', KEYS[1]) >= limit then
  return 0
end
redis.call('ZADD', KEYS[1], now + ttl, order)
redis.call('HSET', KEYS[2], order, run)
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return 1`;

// KEYS: slots, runs. ARGV: now, ttl, order, run. A run whose lease lapsed while it kept running (its worker was
// frozen past the lease) takes its slot back if no other run of the order took it meanwhile, even over the limit:
// the placement is running, so the count must say so. Returns 1 renewed, 2 taken back, 0 another run holds it.
const RENEW = `
local now, ttl, order, run = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[4]
local expires = redis.call('ZSCORE', KEYS[1], order)
local holder = redis.call('HGET', KEYS[2], order)
local result = 1
if not expires or tonumber(expires) <= now then
  if expires and holder ~= run then
    return 0
  end
  result = 2
elseif holder ~= run then
  return 0
end
redis.call('ZADD', KEYS[1], now + ttl, order)
redis.call('HSET', KEYS[2], order, run)
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return result`;

// KEYS: slots, runs. ARGV: order, run.
const RELEASE = `
if redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
end
return 1`;

const OUTCOME = { 1: 'acquired', 0: 'store_busy', [-1]: 'order_busy' } as const;

/** A lease-based semaphore per store with one run per order, shared by every worker process through Redis. */
export function createRedisStoreLimiter(options: RedisStoreLimiterOptions): StoreLimiter {
  const { redis, keyPrefix, limit, leaseMs, now = Date.now } = options;
  const acquire = defineRedisScript(redis, 'placementSlotAcquire', ACQUIRE, 2);
  const renew = defineRedisScript(redis, 'placementSlotRenew', RENEW, 2);
  const release = defineRedisScript(redis, 'placementSlotRelease', RELEASE, 2);
  const slotsKey = (storeId: string) => `${keyPrefix}:store-slots:${storeId}`;
  const runsKey = (storeId: string) => `${keyPrefix}:store-runs:${storeId}`;

  return {
    async tryAcquire(storeId, orderNumber, runId, storeLimit) {
      const effective = Math.min(limit, storeLimit ?? limit);
      const result = (await acquire(
        slotsKey(storeId),
        runsKey(storeId),
        now(),
        leaseMs,
        effective,
        orderNumber,
        runId,
      )) as 1 | 0 | -1;
      return OUTCOME[result];
    },
    async renew(storeId, orderNumber, runId) {
      return (await renew(slotsKey(storeId), runsKey(storeId), now(), leaseMs, orderNumber, runId)) !== 0;
    },
    async release(storeId, orderNumber, runId) {
      await release(slotsKey(storeId), runsKey(storeId), orderNumber, runId);
    },
    async inFlight(storeId) {
      return redis.zcount(slotsKey(storeId), `(${now()}`, '+inf');
    },
  };
}
