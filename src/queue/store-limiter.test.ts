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
    expect(await limiter.tryAcquire(store, 'MO-A', 'MO-A')).toBe('acquired');
    expect(await limiter.tryAcquire(store, 'MO-B', 'MO-B')).toBe('acquired');
    expect(await limiter.tryAcquire(store, 'MO-C', 'MO-C')).toBe('store_busy');
    expect(await limiter.tryAcquire(`${store}-other`, 'MO-C', 'MO-C')).toBe('acquired');
    expect(await limiter.inFlight(store)).toBe(2);
  });

  it('lets a run take its own slot again (a re-delivered job)', async () => {
    await limiter.tryAcquire(store, 'MO-A', 'MO-A');
    await limiter.tryAcquire(store, 'MO-B', 'MO-B');
    expect(await limiter.tryAcquire(store, 'MO-A', 'MO-A')).toBe('acquired');
    expect(await limiter.inFlight(store)).toBe(2);
  });

  it('refuses another run of an order while one is placing it, and lets it in once that run ends', async () => {
    await limiter.tryAcquire(store, 'MO-A', 'MO-A');
    expect(await limiter.tryAcquire(store, 'MO-A', 'MO-A.retry-1')).toBe('order_busy');
    // The refused run never held the slot: its release must not free the first run's.
    await limiter.release(store, 'MO-A', 'MO-A.retry-1');
    expect(await limiter.renew(store, 'MO-A', 'MO-A')).toBe(true);
    expect(await limiter.tryAcquire(store, 'MO-A', 'MO-A.retry-1')).toBe('order_busy');
    await limiter.release(store, 'MO-A', 'MO-A');
    expect(await limiter.tryAcquire(store, 'MO-A', 'MO-A.retry-1')).toBe('acquired');
    expect(await limiter.inFlight(store)).toBe(1);
  });

  it('frees a slot on release', async () => {
    await limiter.tryAcquire(store, 'MO-A', 'MO-A');
    await limiter.tryAcquire(store, 'MO-B', 'MO-B');
    await limiter.release(store, 'MO-A', 'MO-A');
    expect(await limiter.tryAcquire(store, 'MO-C', 'MO-C')).toBe('acquired');
  });
});

describe('a store with its own limit (a shop account that places one order at a time)', () => {
  it('when its limit is below the queue limit, then that many slots are handed out, across every worker process', async () => {
    clock = 1_000_000;
    // Two limiters on one Redis stand for two worker processes.
    const workerA = createRedisStoreLimiter({ redis, keyPrefix, limit: 10, leaseMs: 1_000, now: () => clock });
    const workerB = createRedisStoreLimiter({ redis, keyPrefix, limit: 10, leaseMs: 1_000, now: () => clock });
    expect(await workerA.tryAcquire('own-limit', 'MO-1', 'run-1', 1)).toBe('acquired');
    expect(await workerB.tryAcquire('own-limit', 'MO-2', 'run-2', 1)).toBe('store_busy');
    // Another store keeps the queue's limit.
    expect(await workerB.tryAcquire('other-store', 'MO-3', 'run-3')).toBe('acquired');
    await workerA.release('own-limit', 'MO-1', 'run-1');
    expect(await workerB.tryAcquire('own-limit', 'MO-2', 'run-2', 1)).toBe('acquired');
  });

  it('never raises the queue limit', async () => {
    const limiter = createMemoryStoreLimiter(1);
    expect(await limiter.tryAcquire('s', 'MO-1', 'r1', 5)).toBe('acquired');
    expect(await limiter.tryAcquire('s', 'MO-2', 'r2', 5)).toBe('store_busy');
  });
});

describe('store limiter in Redis, when a holder crashed', () => {
  const limiter = createRedisStoreLimiter({ redis, keyPrefix, limit: 1, leaseMs: 1_000, now: () => clock });

  it('frees its slot once the lease runs out, unless it was renewed', async () => {
    clock = 2_000_000;
    await limiter.tryAcquire('crashy', 'MO-DEAD', 'MO-DEAD');
    clock += 900;
    expect(await limiter.renew('crashy', 'MO-DEAD', 'MO-DEAD')).toBe(true);
    clock += 900;
    expect(await limiter.tryAcquire('crashy', 'MO-NEXT', 'MO-NEXT')).toBe('store_busy');
    clock += 200;
    expect(await limiter.tryAcquire('crashy', 'MO-NEXT', 'MO-NEXT')).toBe('acquired');
  });

  it('when a holder that was only frozen renews after its lease lapsed, then it takes its slot back and the count says so', async () => {
    clock = 2_500_000;
    await limiter.tryAcquire('frozen', 'MO-SLOW', 'MO-SLOW');
    clock += 1_100;
    expect(await limiter.tryAcquire('frozen', 'MO-NEXT', 'MO-NEXT')).toBe('acquired');
    expect(await limiter.renew('frozen', 'MO-SLOW', 'MO-SLOW')).toBe(true);
    expect(await limiter.inFlight('frozen')).toBe(2);
    expect(await limiter.tryAcquire('frozen', 'MO-THIRD', 'MO-THIRD')).toBe('store_busy');
  });

  it('lets another run of the order in once the dead run’s lease runs out, and the dead run cannot free it', async () => {
    clock = 3_000_000;
    await limiter.tryAcquire('crashy-order', 'MO-X', 'MO-X');
    clock += 500;
    expect(await limiter.tryAcquire('crashy-order', 'MO-X', 'MO-X.manual')).toBe('order_busy');
    clock += 600;
    expect(await limiter.tryAcquire('crashy-order', 'MO-X', 'MO-X.manual')).toBe('acquired');
    await limiter.release('crashy-order', 'MO-X', 'MO-X');
    expect(await limiter.inFlight('crashy-order')).toBe(1);
    expect(await limiter.renew('crashy-order', 'MO-X', 'MO-X.manual')).toBe(true);
    // The first run was only frozen: it cannot take back a slot another run of the order holds now.
    expect(await limiter.renew('crashy-order', 'MO-X', 'MO-X')).toBe(false);
  });
});
