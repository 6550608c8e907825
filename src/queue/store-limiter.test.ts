import { Redis } from 'ioredis';
import { createRedisStoreLimiter } from './redis-store-limiter';
import { createMemoryStoreLimiter, type StoreLimiter } from './store-limiter';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = `test-limiter-${process.pid}-${Date.now()}`;
const redis = new Redis(redisUrl);
let clock = 0;

afterAll(async () => {
  const keys = await redis.keys(`${keyPrefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const implementations: Array<[string, () => StoreLimiter]> = [
  ['in memory', () => createMemoryStoreLimiter(2)],
  ['in Redis', () => createRedisStoreLimiter({ redis, keyPrefix, limit: 2, leaseMs: 1_000, now: () => clock })],
];

describe.each(implementations)('store limiter %s', (name, create) => {
  let limiter: StoreLimiter;
  let store: string;
  let counter = 0;

  beforeEach(() => {
    clock = 1_000_000;
    limiter = create();
    store = `store-${++counter}-${name.replace(' ', '-')}`;
  });

  it('hands out at most the limit of slots per store', async () => {
    expect(await limiter.tryAcquire(store, 'MO-A')).toBe(true);
    expect(await limiter.tryAcquire(store, 'MO-B')).toBe(true);
    expect(await limiter.tryAcquire(store, 'MO-C')).toBe(false);
    expect(await limiter.tryAcquire(`${store}-other`, 'MO-C')).toBe(true);
    expect(await limiter.inFlight(store)).toBe(2);
  });

  it('lets a holder take its own slot again (a re-delivered job)', async () => {
    await limiter.tryAcquire(store, 'MO-A');
    await limiter.tryAcquire(store, 'MO-B');
    expect(await limiter.tryAcquire(store, 'MO-A')).toBe(true);
    expect(await limiter.inFlight(store)).toBe(2);
  });

  it('frees a slot on release', async () => {
    await limiter.tryAcquire(store, 'MO-A');
    await limiter.tryAcquire(store, 'MO-B');
    await limiter.release(store, 'MO-A');
    expect(await limiter.tryAcquire(store, 'MO-C')).toBe(true);
  });
});

describe('store limiter in Redis, when a holder crashed', () => {
  const limiter = createRedisStoreLimiter({ redis, keyPrefix, limit: 1, leaseMs: 1_000, now: () => clock });

  it('frees its slot once the lease runs out, unless it was renewed', async () => {
    clock = 2_000_000;
    await limiter.tryAcquire('crashy', 'MO-DEAD');
    clock += 900;
    expect(await limiter.renew('crashy', 'MO-DEAD')).toBe(true);
    clock += 900;
    expect(await limiter.tryAcquire('crashy', 'MO-NEXT')).toBe(false);
    clock += 200;
    expect(await limiter.tryAcquire('crashy', 'MO-NEXT')).toBe(true);
    expect(await limiter.renew('crashy', 'MO-DEAD')).toBe(false);
  });
});
