import type { Redis } from 'ioredis';
import {
  admitCall,
  closedBreaker,
  describeBreaker,
  renewProbe,
  settleCall,
  type BreakerAdmission,
  type BreakerOutcome,
  type BreakerPolicy,
  type BreakerSnapshot,
  type BreakerTransition,
} from './breaker-state';
import type { StoreCircuitBreaker } from './circuit-breaker';
import { defineRedisScript } from './redis-script';

export interface RedisCircuitBreakerOptions {
  redis: Redis;
  /** Namespace for the breaker's keys, e.g. `bull:placement`. */
  keyPrefix: string;
  policy: BreakerPolicy;
  now?: () => number;
}

/** A breaker nobody touched for this long is forgotten (reads as closed). */
const SNAPSHOT_TTL_MS = 24 * 60 * 60_000;
const MAX_CONFLICTS = 100;

// Compare-and-set: write the new snapshot only if the key still holds what this caller read. An empty new value
// deletes the key (a closed breaker with no failures is the default and needs no storage).
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1]) or ''
if current ~= ARGV[1] then
  return 0
end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return 1`;

/** A store's breaker key: its snapshot as JSON, absent while closed with no recent failure. */
export const breakerKey = (keyPrefix: string, storeId: string): string => `${keyPrefix}:breaker:${storeId}`;

/** The Redis breaker, plus its transitions started from a snapshot the caller has just read (one GET fewer). */
export interface RedisCircuitBreaker extends StoreCircuitBreaker {
  admitFrom(storeId: string, raw: string | null): Promise<BreakerAdmission>;
  settleFrom(storeId: string, raw: string | null, outcome: BreakerOutcome, wasProbe: boolean): Promise<void>;
}

/**
 * The per-store breaker shared by every worker process. Each store's snapshot is one JSON string key; every
 * transition reads it, applies the pure rules of breaker-state.ts and swaps it in with a compare-and-set script,
 * re-reading on conflict. So exactly one of many racing workers turns an expired open breaker into the probe.
 */
export function createRedisCircuitBreaker(options: RedisCircuitBreakerOptions): RedisCircuitBreaker {
  const { redis, keyPrefix, policy, now = Date.now } = options;
  const compareAndSet = defineRedisScript(redis, 'placementBreakerCas', COMPARE_AND_SET);
  const keyOf = (storeId: string) => breakerKey(keyPrefix, storeId);

  /** `seen`: the key's value as the caller has just read it, if it has; the loop re-reads after a conflict. */
  async function update<T>(
    storeId: string,
    step: (snapshot: BreakerSnapshot, at: number) => BreakerTransition<T>,
    seen?: string | null,
  ): Promise<T> {
    const key = keyOf(storeId);
    for (let conflicts = 0; conflicts < MAX_CONFLICTS; conflicts++) {
      const raw = conflicts === 0 && seen !== undefined ? seen : await redis.get(key);
      const current = parseSnapshot(raw);
      const { next, result } = step(current, now());
      if (next === current) return result;
      const encoded = next === closedBreaker ? '' : JSON.stringify(next);
      if ((await compareAndSet(key, raw ?? '', encoded, SNAPSHOT_TTL_MS)) === 1) return result;
    }
    throw new Error(`circuit breaker for store ${storeId}: too many concurrent updates`);
  }

  const admitStep = (s: BreakerSnapshot, at: number) => admitCall(s, at, policy);
  const settleStep = (outcome: BreakerOutcome, wasProbe: boolean) => (s: BreakerSnapshot, at: number) => ({
    next: settleCall(s, outcome, wasProbe, at, policy),
    result: undefined,
  });

  return {
    admit: (storeId) => update(storeId, admitStep),
    admitFrom: (storeId, raw) => update(storeId, admitStep, raw),
    settle: (storeId, outcome, wasProbe) => update(storeId, settleStep(outcome, wasProbe)),
    settleFrom: (storeId, raw, outcome, wasProbe) => update(storeId, settleStep(outcome, wasProbe), raw),
    renewProbe: (storeId) => update(storeId, (s, at) => ({ next: renewProbe(s, at, policy), result: undefined })),
    async getState(storeId) {
      return describeBreaker(parseSnapshot(await redis.get(keyOf(storeId))), now(), policy);
    },
  };
}

function parseSnapshot(raw: string | null): BreakerSnapshot {
  if (!raw) return closedBreaker;
  try {
    return JSON.parse(raw) as BreakerSnapshot;
  } catch {
    return closedBreaker;
  }
}
