import { Redis } from 'ioredis';
import type { BreakerPolicy } from './breaker-state';
import { createMemoryCircuitBreaker, type StoreCircuitBreaker } from './circuit-breaker';
import { createRedisCircuitBreaker } from './redis-circuit-breaker';

// The same scenarios against both breakers: the embedded queue and the BullMQ workers must agree.
const policy: BreakerPolicy = { failureThreshold: 3, windowMs: 1_000, openMs: 5_000, probeLeaseMs: 2_000 };
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = `test-breaker-${process.pid}-${Date.now()}`;
const redis = new Redis(redisUrl);

afterAll(async () => {
  const keys = await redis.keys(`${keyPrefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

type Factory = (now: () => number) => StoreCircuitBreaker;
const implementations: Array<[string, Factory]> = [
  ['in memory', (now) => createMemoryCircuitBreaker(policy, now)],
  ['in Redis', (now) => createRedisCircuitBreaker({ redis, keyPrefix, policy, now })],
];

describe.each(implementations)('circuit breaker %s', (_name, create) => {
  let clock = 0;
  let breaker: StoreCircuitBreaker;
  let store: string;
  let counter = 0;

  beforeEach(() => {
    clock = 1_000_000;
    breaker = create(() => clock);
    store = `store-${++counter}-${_name.replace(' ', '-')}`;
  });

  const failTimes = async (n: number) => {
    for (let i = 0; i < n; i++) await breaker.settle(store, 'failure', false);
  };

  it('opens after the threshold of failures and rejects until the open time is over', async () => {
    await failTimes(3);
    expect(await breaker.admit(store)).toEqual({ admitted: false, reason: 'open', retryInMs: 5_000 });
    expect(await breaker.getState(store)).toEqual({ state: 'open', recentFailures: 0, retryInMs: 5_000 });
  });

  it('when many callers race after the open time, then only one becomes the probe', async () => {
    await failTimes(3);
    clock += 5_000;
    const admissions = await Promise.all(Array.from({ length: 8 }, () => breaker.admit(store)));
    expect(admissions.filter((a) => a.admitted)).toEqual([{ admitted: true, probe: true }]);
    expect(await breaker.getState(store)).toMatchObject({ state: 'half_open' });
  });

  it('closes when the probe succeeds and re-opens when it fails', async () => {
    await failTimes(3);
    clock += 5_000;
    await breaker.admit(store);
    await breaker.settle(store, 'success', true);
    expect(await breaker.getState(store)).toEqual({ state: 'closed', recentFailures: 0, retryInMs: 0 });

    await failTimes(3);
    clock += 5_000;
    await breaker.admit(store);
    await breaker.settle(store, 'failure', true);
    expect(await breaker.getState(store)).toEqual({ state: 'open', recentFailures: 0, retryInMs: 5_000 });
  });

  it('forgets failures older than the window', async () => {
    await failTimes(2);
    clock += 1_000;
    await failTimes(1);
    expect(await breaker.getState(store)).toEqual({ state: 'closed', recentFailures: 1, retryInMs: 0 });
  });

  it('lets another probe through when the probe holder stops renewing', async () => {
    await failTimes(3);
    clock += 5_000;
    await breaker.admit(store);
    clock += 1_500;
    await breaker.renewProbe(store);
    clock += 1_500;
    expect(await breaker.admit(store)).toMatchObject({ admitted: false, reason: 'probing' });
    clock += 500;
    expect(await breaker.admit(store)).toEqual({ admitted: true, probe: true });
  });
});
