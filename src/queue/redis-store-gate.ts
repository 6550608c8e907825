import type { Redis } from 'ioredis';
import type { BreakerPolicy } from './breaker-state';
import { breakerKey, createRedisCircuitBreaker } from './redis-circuit-breaker';
import { defineRedisScript } from './redis-script';
import {
  ACQUIRE_SLOT_LUA,
  createRedisStoreLimiter,
  RELEASE_SLOT_LUA,
  SLOT_OUTCOME,
  slotKeys,
} from './redis-store-limiter';
import type { StoreGate } from './store-gate';

export interface RedisStoreGateOptions {
  redis: Redis;
  /** Namespace for the gate's keys, e.g. `bull:placement:gate`. */
  keyPrefix: string;
  /** Slots per store, across every worker. */
  limit: number;
  /** How long a slot survives without renewal. */
  leaseMs: number;
  breakerPolicy: BreakerPolicy;
  now?: () => number;
}

// Whether a breaker snapshot (JSON) is closed: a closed breaker lets every call through and only a failure changes it
// (breaker-state.ts `admitCall`, `settleCall`). That one rule is all the scripts below apply themselves; any other
// snapshot goes back to the caller, which applies breaker-state.ts's rules to it.
const CLOSED_LUA = `
local function isClosed(raw)
  if not raw then
    return true
  end
  local ok, snapshot = pcall(cjson.decode, raw)
  return ok and type(snapshot) == 'table' and snapshot.state == 'closed'
end`;

// KEYS: breaker, slots, runs. ARGV: now, ttl, limit, order, run. A closed breaker admits, so the slot is taken at
// once: returns 1 acquired, 0 store busy, -1 order busy. Otherwise nothing is taken and the snapshot is returned.
const ENTER = `${CLOSED_LUA}
${ACQUIRE_SLOT_LUA}
local raw = redis.call('GET', KEYS[1])
if not isClosed(raw) then
  return raw
end
return acquireSlot(KEYS[2], KEYS[3], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5])`;

// KEYS: slots, runs, breaker. ARGV: order, run, outcome. Releases the run's slot; returns nil when the breaker has
// nothing to record (closed, and no failure), else its snapshot ('' when absent) for the caller to settle.
const LEAVE = `${CLOSED_LUA}
${RELEASE_SLOT_LUA}
releaseSlot(KEYS[1], KEYS[2], ARGV[1], ARGV[2])
local raw = redis.call('GET', KEYS[3])
if ARGV[3] ~= 'failure' and isClosed(raw) then
  return false
end
return raw or ''`;

/**
 * The store gate every BullMQ worker shares: the Redis store limiter and circuit breaker, with the way in (breaker
 * admission + slot) and the way out (slot release + breaker settle) as one script each, so a job whose store's
 * breaker is closed spends two Redis round trips on the gate instead of four. A breaker that is not closed, or a
 * failure to record, takes the breaker's own compare-and-set from the snapshot the script read.
 */
export function createRedisStoreGate(
  options: RedisStoreGateOptions,
): Pick<StoreGate, 'limiter' | 'breaker' | 'enter' | 'leave'> {
  const { redis, keyPrefix, limit, leaseMs, now = Date.now } = options;
  const limiter = createRedisStoreLimiter({ redis, keyPrefix, limit, leaseMs, now });
  const breaker = createRedisCircuitBreaker({ redis, keyPrefix, policy: options.breakerPolicy, now });
  const enter = defineRedisScript(redis, 'placementGateEnter', ENTER, 3);
  const leave = defineRedisScript(redis, 'placementGateLeave', LEAVE, 3);

  return {
    limiter,
    breaker,
    async enter(storeId, orderNumber, runId, storeLimit) {
      const [slots, runs] = slotKeys(keyPrefix, storeId);
      const effective = Math.min(limit, storeLimit ?? limit);
      const answer = (await enter(
        breakerKey(keyPrefix, storeId),
        slots,
        runs,
        now(),
        leaseMs,
        effective,
        orderNumber,
        runId,
      )) as 1 | 0 | -1 | string;
      if (typeof answer === 'number')
        return { admission: { admitted: true, probe: false }, slot: SLOT_OUTCOME[answer] };
      // Open or half-open: the breaker's rules decide (a probe, or a wait), then the slot is asked on its own.
      const admission = await breaker.admitFrom(storeId, answer);
      if (!admission.admitted) return { admission, slot: null };
      return { admission, slot: await limiter.tryAcquire(storeId, orderNumber, runId, storeLimit) };
    },
    async leave(storeId, orderNumber, runId, outcome, wasProbe) {
      const [slots, runs] = slotKeys(keyPrefix, storeId);
      const seen = (await leave(slots, runs, breakerKey(keyPrefix, storeId), orderNumber, runId, outcome)) as
        string | null;
      if (seen !== null) await breaker.settleFrom(storeId, seen === '' ? null : seen, outcome, wasProbe);
    },
  };
}
