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
// the store one slot (and its order a wait) for at most `leaseMs`, a few heartbeats. A Lua function, shared with the
// store gate's script (redis-store-gate.ts) that takes a slot along with the breaker's admission.
// Returns 1 acquired, 0 store busy, -1 order busy.
export const ACQUIRE_SLOT_LUA = `
local function acquireSlot(slots, runs, now, ttl, limit, order, run)
  local expired = redis.call('ZRANGEBYSCORE', slots, '-inf', now)
  if #expired > 0 then
    redis.call('ZREMRANGEBYSCORE', slots, '-inf', now)
    redis.call('HDEL', runs, unpack(expired))
  end
  if redis.call('ZSCORE', slots, order) then
    if redis.call('HGET', runs, order) ~= run then
      return -1
    end
  elseif redis.call('ZCARD', slots) >= limit then
    return 0
  end
  redis.call('ZADD', slots, now + ttl, order)
  redis.call('HSET', runs, order, run)
  redis.call('PEXPIRE', slots, ttl)
  redis.call('PEXPIRE', runs, ttl)
  return 1
end`;

// KEYS: slots, runs. ARGV: now, ttl, limit, order, run.
const ACQUIRE = `${ACQUIRE_SLOT_LUA}
return acquireSlot(KEYS[1], KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5])`;

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

// Frees the slot only if this run holds it. Shared like ACQUIRE_SLOT_LUA.
export const RELEASE_SLOT_LUA = `
local function releaseSlot(slots, runs, order, run)
  if redis.call('HGET', runs, order) == run then
    redis.call('ZREM', slots, order)
    redis.call('HDEL', runs, order)
  end
end`;

// KEYS: slots, runs. ARGV: order, run.
const RELEASE = `${RELEASE_SLOT_LUA}
releaseSlot(KEYS[1], KEYS[2], ARGV[1], ARGV[2])
return 1`;

/** What ACQUIRE_SLOT_LUA's answer means. */
export const SLOT_OUTCOME = { 1: 'acquired', 0: 'store_busy', [-1]: 'order_busy' } as const;

/** A store's slot keys: who holds a slot until when (sorted set), and which run of each order holds it (hash). */
export const slotKeys = (keyPrefix: string, storeId: string): [slots: string, runs: string] => [
  `${keyPrefix}:store-slots:${storeId}`,
  `${keyPrefix}:store-runs:${storeId}`,
];

/** A lease-based semaphore per store with one run per order, shared by every worker process through Redis. */
export function createRedisStoreLimiter(options: RedisStoreLimiterOptions): StoreLimiter {
  const { redis, keyPrefix, limit, leaseMs, now = Date.now } = options;
  const acquire = defineRedisScript(redis, 'placementSlotAcquire', ACQUIRE, 2);
  const renew = defineRedisScript(redis, 'placementSlotRenew', RENEW, 2);
  const release = defineRedisScript(redis, 'placementSlotRelease', RELEASE, 2);
  const slotsKey = (storeId: string) => slotKeys(keyPrefix, storeId)[0];
  const runsKey = (storeId: string) => slotKeys(keyPrefix, storeId)[1];

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
      return SLOT_OUTCOME[result];
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
