import { Redis } from 'ioredis';
import type { BreakerPolicy } from './breaker-state';
import { createMemoryCircuitBreaker } from './circuit-breaker';
import { createRedisStoreGate } from './redis-store-gate';
import { enterStore, leaveStore, type StoreGate } from './store-gate';
import { createMemoryStoreLimiter } from './store-limiter';

// The Redis gate's one-script way in and out must answer exactly as the breaker and limiter asked one after the
// other (the in-process queue's gate): the same scenarios against both.
const policy: BreakerPolicy = { failureThreshold: 2, windowMs: 1_000, openMs: 5_000, probeLeaseMs: 2_000 };
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = `test-gate-${process.pid}-${Date.now()}`;
const redis = new Redis(redisUrl);
let clock = 0;

afterAll(async () => {
  const keys = await redis.keys(`${keyPrefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

type Gate = Pick<StoreGate, 'limiter' | 'breaker' | 'enter' | 'leave'>;
const implementations: Array<[string, () => Gate]> = [
  [
    'one call after the other, in memory',
    () => ({ limiter: createMemoryStoreLimiter(2), breaker: createMemoryCircuitBreaker(policy, () => clock) }),
  ],
  [
    'one script each way, in Redis',
    () =>
      createRedisStoreGate({ redis, keyPrefix, limit: 2, leaseMs: 60_000, breakerPolicy: policy, now: () => clock }),
  ],
];

describe.each(implementations)('store gate, %s', (name, create) => {
  let gate: Gate;
  let store: string;
  let counter = 0;
  const enter = (order: string, run = order, storeLimit?: number) =>
    enterStore({ ...gate, busyDelayMs: 0 })(store, order, run, storeLimit);
  const leave = (order: string, outcome: 'success' | 'failure' | 'neutral', probe = false) =>
    leaveStore({ ...gate, busyDelayMs: 0 })(store, order, order, outcome, probe);
  const admitted = (slot: string, probe = false) => ({ admission: { admitted: true, probe }, slot });

  beforeEach(() => {
    clock = 1_000_000;
    gate = create();
    store = `store-${++counter}-${name.split(' ').pop()}`;
  });

  it('lets runs in up to the limit while the breaker is closed, one run per order, and frees the slot on leaving', async () => {
    expect(await enter('MO-A')).toEqual(admitted('acquired'));
    expect(await enter('MO-A', 'MO-A.retry')).toEqual(admitted('order_busy'));
    expect(await enter('MO-B')).toEqual(admitted('acquired'));
    expect(await enter('MO-C')).toEqual(admitted('store_busy'));
    expect(await enter('MO-D', 'MO-D', 1)).toEqual(admitted('store_busy'));
    await leave('MO-A', 'success');
    expect(await gate.limiter.inFlight(store)).toBe(1);
    expect(await enter('MO-C')).toEqual(admitted('acquired'));
  });

  it('when runs fail up to the threshold, then the breaker opens and nobody gets in until a probe may', async () => {
    await enter('MO-A');
    await enter('MO-B');
    await leave('MO-A', 'failure');
    // A neutral outcome (a permanent refusal) neither counts nor clears the failures.
    await leave('MO-B', 'neutral');
    expect(await gate.breaker.getState(store)).toEqual({ state: 'closed', recentFailures: 1, retryInMs: 0 });
    await enter('MO-C');
    await leave('MO-C', 'failure');
    expect(await gate.limiter.inFlight(store)).toBe(0);
    expect(await enter('MO-D')).toEqual({
      admission: { admitted: false, reason: 'open', retryInMs: 5_000 },
      slot: null,
    });
    expect(await gate.limiter.inFlight(store)).toBe(0);

    clock += 5_000;
    expect(await enter('MO-D')).toEqual(admitted('acquired', true));
    expect(await enter('MO-E')).toEqual({
      admission: { admitted: false, reason: 'probing', retryInMs: 2_000 },
      slot: null,
    });
    await leave('MO-D', 'success', true);
    expect(await gate.breaker.getState(store)).toEqual({ state: 'closed', recentFailures: 0, retryInMs: 0 });
    expect(await enter('MO-E')).toEqual(admitted('acquired'));
  });

  it('when the probe fails, then the breaker opens again', async () => {
    for (const order of ['MO-A', 'MO-B']) {
      await enter(order);
      await leave(order, 'failure');
    }
    clock += 5_000;
    await enter('MO-P');
    await leave('MO-P', 'failure', true);
    expect(await gate.breaker.getState(store)).toEqual({ state: 'open', recentFailures: 0, retryInMs: 5_000 });
  });

  it('when the probe is refused a slot, then it still holds the probe for its caller to give back', async () => {
    await enter('MO-A');
    await enter('MO-B');
    await leave('MO-A', 'failure');
    await gate.breaker.settle(store, 'failure', false);
    // MO-B still runs and holds a slot; the store's own limit of 1 leaves none for the probe.
    clock += 5_000;
    expect(await enter('MO-P', 'MO-P', 1)).toEqual(admitted('store_busy', true));
    await gate.breaker.settle(store, 'neutral', true);
    expect(await enter('MO-Q')).toEqual(admitted('acquired', true));
  });
});
