import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { PermanentPlacementError, TransientPlacementError } from '../src/placement/placement-adapter';
import type { BreakerStatus } from '../src/queue/breaker-state';
import { createBullmqPlacementQueue } from '../src/queue/bullmq-placement-queue';
import { startBullmqPlacementWorker } from '../src/queue/bullmq-placement-worker';
import { createInProcessPlacementQueue } from '../src/queue/in-process-placement-queue';
import { methodQueueName } from '../src/queue/placement-methods';
import type {
  PlacementAttempt,
  PlacementExhaustedHandler,
  PlacementJob,
  PlacementJobHandler,
} from '../src/queue/placement-queue';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test-pq-${process.pid}-${Date.now()}`;
const queueNames: string[] = [];
let queueCounter = 0;
const nextQueueName = (variant: string) => {
  const name = `placement-${variant}-${++queueCounter}`;
  queueNames.push(name, ...(['api', 'headless', 'manual'] as const).map((method) => methodQueueName(name, method)));
  return name;
};
/** These jobs name no order the database knows: they go to the api queue, which these workers consume. */
const noOrders = async () => new Map<string, string>();

afterAll(async () => {
  for (const name of queueNames) {
    const queue = new Queue(name, { connection: { url: redisUrl }, prefix });
    await queue.obliterate({ force: true });
    await queue.close();
  }
  // The store slots and breakers live beside the queue's keys, under the same prefix.
  const redis = new Redis(redisUrl);
  const leftovers = await redis.keys(`${prefix}:*`);
  if (leftovers.length > 0) await redis.del(...leftovers);
  await redis.quit();
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}

interface Call {
  job: PlacementJob;
  attempt: PlacementAttempt;
  startedAt: number;
  endedAt?: number;
}

/** What the queue did, in the order it did it: a call starting or ending, or a job given up on. */
type QueueEvent = `${'start' | 'end' | 'exhausted'} ${string}`;

/** Wraps a test's handler to record every call and, in order, every start, end and exhausted job. */
function recorder(behaviour: (job: PlacementJob, attempt: PlacementAttempt) => Promise<void> = async () => undefined) {
  const calls: Call[] = [];
  const events: QueueEvent[] = [];
  const exhausted: Array<{ job: PlacementJob; error: Error }> = [];
  const running = new Map<string, number>();
  const maxRunning = new Map<string, number>();
  const handler: PlacementJobHandler = async (job, attempt) => {
    const call: Call = { job, attempt, startedAt: Date.now() };
    calls.push(call);
    events.push(`start ${job.orderNumber}`);
    running.set(job.storeId, (running.get(job.storeId) ?? 0) + 1);
    maxRunning.set(job.storeId, Math.max(maxRunning.get(job.storeId) ?? 0, running.get(job.storeId)!));
    try {
      await behaviour(job, attempt);
    } finally {
      running.set(job.storeId, running.get(job.storeId)! - 1);
      call.endedAt = Date.now();
      events.push(`end ${job.orderNumber}`);
    }
  };
  const onExhausted: PlacementExhaustedHandler = async (job, error) => {
    exhausted.push({ job, error });
    events.push(`exhausted ${job.orderNumber}`);
  };
  const callsFor = (orderNumber: string) => calls.filter((c) => c.job.orderNumber === orderNumber);
  const finished = (storeId?: string) => calls.filter((c) => c.endedAt && (!storeId || c.job.storeId === storeId));
  return { handler, onExhausted, calls, events, exhausted, maxRunning, callsFor, finished };
}

interface HarnessOptions {
  handler: PlacementJobHandler;
  onExhausted: PlacementExhaustedHandler;
  attempts?: number;
  storeConcurrency?: number;
  breaker?: { failureThreshold?: number; windowMs?: number; openMs?: number };
}

interface Harness {
  enqueue(jobs: PlacementJob[]): Promise<void>;
  getBreakerState(storeId: string): Promise<BreakerStatus>;
  /** Resolves once no job is waiting, delayed or running. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const testBackoff = { baseMs: 20, maxMs: 100 };

/** Two workers, as two processes would run them: they share nothing but Redis. */
async function bullmqHarness(options: HarnessOptions): Promise<Harness> {
  const queueName = nextQueueName('bullmq');
  const queue = createBullmqPlacementQueue({
    redisUrl,
    queueName,
    prefix,
    attempts: options.attempts,
    methodsOf: noOrders,
  });
  const workerOptions = {
    redisUrl,
    queueName: methodQueueName(queueName, 'api'),
    gateQueueName: queueName,
    prefix,
    handler: options.handler,
    onExhausted: options.onExhausted,
    storeConcurrency: options.storeConcurrency,
    breaker: options.breaker,
    backoff: testBackoff,
    storeBusyDelayMs: 50,
  };
  const workers = await Promise.all([1, 2].map(() => startBullmqPlacementWorker(workerOptions)));
  const inspector = new Queue(methodQueueName(queueName, 'api'), { connection: { url: redisUrl }, prefix });
  return {
    enqueue: (jobs) => queue.enqueue(jobs),
    getBreakerState: (storeId) => workers[0].getBreakerState(storeId),
    settled: () =>
      waitFor(async () => {
        const counts = await inspector.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
        return Object.values(counts).every((n) => n === 0);
      }, 20_000),
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await queue.close();
      await inspector.close();
    },
  };
}

async function inProcessHarness(options: HarnessOptions): Promise<Harness> {
  const queue = createInProcessPlacementQueue({ ...options, backoff: testBackoff, storeBusyDelayMs: 50 });
  return {
    enqueue: (jobs) => queue.enqueue(jobs),
    getBreakerState: (storeId) => queue.getBreakerState(storeId),
    settled: () => queue.drain(),
    close: () => queue.close(),
  };
}

const variants: Array<[string, (options: HarnessOptions) => Promise<Harness>]> = [
  ['BullMQ', bullmqHarness],
  ['in-process', inProcessHarness],
];

describe.each(variants)('placement queue (%s)', (_variant, createHarness) => {
  let harness: Harness | undefined;
  const start = async (options: HarnessOptions) => (harness = await createHarness(options));
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('when three orders are enqueued, then they are placed in parallel', async () => {
    // Each call holds until all three have started; a queue that ran them one by one lets each go after 2 s,
    // so its calls would start and end in turn.
    let allStarted: () => void = () => undefined;
    const barrier = new Promise<void>((resolve) => (allStarted = resolve));
    const r = recorder(async () => {
      if (r.calls.length === 3) allStarted();
      await Promise.race([barrier, sleep(2_000)]);
    });
    const queue = await start(r);
    await queue.enqueue([
      { orderNumber: 'MO-PAR1', storeId: 'acme' },
      { orderNumber: 'MO-PAR2', storeId: 'acme' },
      { orderNumber: 'MO-PAR3', storeId: 'globex' },
    ]);
    await waitFor(() => r.finished().length === 3, 20_000);
    expect(r.events.map((event) => event.split(' ')[0])).toEqual(['start', 'start', 'start', 'end', 'end', 'end']);
  });

  it('when the same order is enqueued twice, then it is placed once', async () => {
    const r = recorder(() => sleep(200));
    const queue = await start(r);
    const job = { orderNumber: 'MO-DUP1', storeId: 'acme' };
    await queue.enqueue([job, job]);
    await waitFor(() => r.calls.length === 1);
    await queue.enqueue([job]);
    await queue.settled();
    expect(r.callsFor('MO-DUP1')).toHaveLength(1);
  });

  it('when the retailer fails transiently, then the job is retried until it is placed', async () => {
    const r = recorder(async (_job, attempt) => {
      if (attempt.attempt < 3) throw new TransientPlacementError('retailer timed out');
    });
    const queue = await start(r);
    await queue.enqueue([{ orderNumber: 'MO-RETRY1', storeId: 'acme' }]);
    await waitFor(() => r.finished().length === 3);
    await queue.settled();
    expect(r.calls.map((c) => c.attempt)).toEqual([
      { attempt: 1, maxAttempts: 6, maybeRan: false },
      { attempt: 2, maxAttempts: 6, maybeRan: true },
      { attempt: 3, maxAttempts: 6, maybeRan: true },
    ]);
    expect(r.exhausted).toEqual([]);
  });

  it('when the retailer refuses permanently, then there is no retry and onExhausted is called once', async () => {
    const refusal = new PermanentPlacementError('out_of_stock', 'sold out');
    const r = recorder(async () => {
      throw refusal;
    });
    const queue = await start(r);
    await queue.enqueue([{ orderNumber: 'MO-PERM1', storeId: 'acme' }]);
    await waitFor(() => r.exhausted.length === 1);
    // Settled: nothing waiting, delayed (a retry) or running is left to happen.
    await queue.settled();
    expect(r.events).toEqual(['start MO-PERM1', 'end MO-PERM1', 'exhausted MO-PERM1']);
    expect(r.exhausted).toEqual([{ job: { orderNumber: 'MO-PERM1', storeId: 'acme' }, error: refusal }]);
  });

  it('when every attempt fails, then onExhausted is called once with the last error', async () => {
    const r = recorder(async (_job, attempt) => {
      throw new TransientPlacementError(`timeout #${attempt.attempt}`);
    });
    const queue = await start({ ...r, attempts: 3 });
    await queue.enqueue([{ orderNumber: 'MO-EXH1', storeId: 'acme' }]);
    await waitFor(() => r.exhausted.length === 1);
    await queue.settled();
    expect(r.events).toEqual([...Array(3).fill(['start MO-EXH1', 'end MO-EXH1']).flat(), 'exhausted MO-EXH1']);
    expect(r.calls.map((c) => c.attempt.attempt)).toEqual([1, 2, 3]);
    expect(r.exhausted).toHaveLength(1);
    expect(r.exhausted[0].error.message).toBe('timeout #3');
  });

  it('when a store keeps failing, then its breaker holds its jobs, others flow, and one probe closes it', async () => {
    // Long enough that the other store's three jobs finish while it is open, however slow the machine.
    const openMs = 3_000;
    let acmeDown = true;
    let opened = false;
    // What acme's breaker said as each acme call began, once it had opened: only a lone probe may start then.
    const breakerAtStart: string[] = [];
    const r = recorder(async (job) => {
      if (job.storeId === 'acme' && opened) breakerAtStart.push((await queue.getBreakerState('acme')).state);
      await sleep(30);
      if (job.storeId === 'acme' && acmeDown) throw new TransientPlacementError('acme is down');
    });
    const queue = await start({ ...r, attempts: 20, breaker: { failureThreshold: 5, windowMs: 60_000, openMs } });
    const acmeJobs = [1, 2, 3, 4, 5].map((n) => ({ orderNumber: `MO-BRK${n}`, storeId: 'acme' }));
    await queue.enqueue(acmeJobs);

    await waitFor(async () => (await queue.getBreakerState('acme')).state === 'open');
    opened = true;
    const openedAt = r.events.length;
    await queue.enqueue([1, 2, 3].map((n) => ({ orderNumber: `MO-GLX${n}`, storeId: 'globex' })));
    await waitFor(() => r.finished('globex').length === 3);
    // The other store's jobs went through while acme's breaker still held acme's.
    expect((await queue.getBreakerState('acme')).state).toBe('open');

    acmeDown = false;
    await queue.settled();
    expect(await queue.getBreakerState('acme')).toEqual({ state: 'closed', recentFailures: 0, retryInMs: 0 });
    expect(r.exhausted).toEqual([]);
    for (const job of acmeJobs) expect(r.callsFor(job.orderNumber).at(-1)?.endedAt).toBeDefined();

    // After it opened (calls admitted before may still be ending), the first acme call to start was a probe, alone:
    // no other acme call started until it ended, and the breaker it closed let the rest through.
    const startsSinceOpen = r.events.slice(openedAt).filter((event) => /^start MO-BRK/.test(event));
    const probe = startsSinceOpen[0]!.replace('start ', '');
    const afterProbe = r.events.slice(r.events.indexOf(`start ${probe}`, openedAt) + 1);
    expect(afterProbe.filter((event) => event.includes('MO-BRK'))[0]).toBe(`end ${probe}`);
    expect(breakerAtStart[0]).toBe('half_open');
    expect(breakerAtStart.slice(1).every((state) => state === 'closed')).toBe(true);
  });

  it('when another run of an order arrives while it is being placed, then it waits for that run to end', async () => {
    const r = recorder(() => sleep(300));
    const queue = await start(r);
    await queue.enqueue([{ orderNumber: 'MO-RUN1', storeId: 'acme' }]);
    await waitFor(() => r.calls.length === 1);
    // An ops retry (or a fallback) of the same order: a different job, the same purchase.
    await queue.enqueue([{ orderNumber: 'MO-RUN1', storeId: 'acme', runKey: 'retry-1' }]);
    await queue.settled();
    const [first, second] = r.callsFor('MO-RUN1');
    expect(second.job.runKey).toBe('retry-1');
    expect(second.startedAt).toBeGreaterThanOrEqual(first.endedAt!);
    expect(second.attempt.attempt).toBe(1);
  });

  it('when many orders of one store arrive, then no more than its limit are placed at once', async () => {
    const r = recorder(() => sleep(150));
    const queue = await start({ ...r, storeConcurrency: 2 });
    await queue.enqueue([1, 2, 3, 4, 5, 6].map((n) => ({ orderNumber: `MO-LIM${n}`, storeId: 'acme' })));
    await queue.settled();
    expect(r.finished('acme')).toHaveLength(6);
    expect(r.maxRunning.get('acme')).toBe(2);
    expect(r.calls.every((c) => c.attempt.attempt === 1)).toBe(true);
  });
});

describe('placement queue (BullMQ only)', () => {
  it('when a duplicate arrives after the order was placed, then it is still a no-op', async () => {
    const r = recorder();
    const queue = await bullmqHarness(r);
    try {
      const job = { orderNumber: 'MO-LATE1', storeId: 'acme' };
      await queue.enqueue([job]);
      await waitFor(() => r.finished().length === 1);
      await queue.settled();
      // A duplicate that became a job would be waiting or running until its call ended; settled waits for it.
      await queue.enqueue([job]);
      await queue.settled();
      expect(r.events).toEqual(['start MO-LATE1', 'end MO-LATE1']);
    } finally {
      await queue.close();
    }
  });

  it('when a worker is killed mid-job, then another worker picks the job up knowing it may have run', async () => {
    const r = await killWorkerMidJob('MO-STALL1', { maxStalledCount: 1 });
    await waitFor(() => r.finished().length === 1, 15_000);
    expect(r.calls[0].job).toEqual({ orderNumber: 'MO-STALL1', storeId: 'acme' });
    expect(r.calls[0].attempt).toEqual({ attempt: 1, maxAttempts: 6, maybeRan: true });
    expect(r.exhausted).toEqual([]);
  });

  it('when a job has stalled more often than allowed, then the next worker gives up on it: onExhausted is called, the handler is not', async () => {
    const r = await killWorkerMidJob('MO-STALL2', { maxStalledCount: 0 });
    await waitFor(() => r.exhausted.length === 1, 15_000);
    expect(r.exhausted[0].job).toEqual({ orderNumber: 'MO-STALL2', storeId: 'acme' });
    expect(r.exhausted[0].error.message).toBe('its workers died 1 time while placing it');
    expect(r.calls).toEqual([]);
  });
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/**
 * Runs the job in a worker in a child process, SIGKILLs that process mid-job, and leaves a second worker (short
 * lock and stalled-check interval) to find the job; returns what the second worker's handlers saw.
 */
async function killWorkerMidJob(orderNumber: string, options: { maxStalledCount: number }) {
  const queueName = nextQueueName('stall');
  const queue = createBullmqPlacementQueue({ redisUrl, queueName, prefix, methodsOf: noOrders });
  const child = spawnStallingWorker(methodQueueName(queueName, 'api'));
  cleanups.push(async () => {
    child.kill();
    await queue.close();
  });
  await child.next('ready');
  await queue.enqueue([{ orderNumber, storeId: 'acme' }]);
  const started = await child.next('started');
  expect(started.attempt).toEqual({ attempt: 1, maxAttempts: 6, maybeRan: false });

  const r = recorder();
  const survivor = await startBullmqPlacementWorker({
    redisUrl,
    queueName: methodQueueName(queueName, 'api'),
    prefix,
    handler: r.handler,
    onExhausted: r.onExhausted,
    lockDurationMs: 1_000,
    stalledIntervalMs: 500,
    maxStalledCount: options.maxStalledCount,
  });
  cleanups.unshift(() => survivor.close());
  process.kill(started.pid as number, 'SIGKILL');
  return r;
}

/** Starts tests/fixtures/stalling-placement-worker.ts through `npx tsx` and reads its JSON-line reports. */
function spawnStallingWorker(queueName: string) {
  const fixture = path.join(__dirname, 'fixtures', 'stalling-placement-worker.ts');
  const child: ChildProcess = spawn('npx', ['tsx', fixture], {
    cwd: path.join(__dirname, '..'),
    env: { ...process.env, REDIS_URL: redisUrl, QUEUE_NAME: queueName, QUEUE_PREFIX: prefix },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      events.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not one of our reports
    }
  });
  return {
    async next(event: string): Promise<Record<string, unknown>> {
      try {
        await waitFor(() => events.some((e) => e.event === event), 15_000);
      } catch (err) {
        throw new Error(`stalling worker never reported "${event}"; stderr:\n${stderr}`, { cause: err });
      }
      return events.find((e) => e.event === event)!;
    },
    /** The worker itself is SIGKILLed by the test; this ends the npx/tsx wrappers if they linger. */
    kill() {
      if (child.exitCode === null) child.kill('SIGTERM');
    },
  };
}
