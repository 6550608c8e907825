import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { silentLogger } from '../logger';
import { computeBackoffMs, defaultBackoffPolicy } from './backoff';
import { defaultBreakerPolicy } from './breaker-state';
import {
  bullmqConnection,
  DEFAULT_PREFIX,
  gateKeyPrefix,
  openGateClient,
  type QueueLocation,
  type RedisTarget,
} from './bullmq-connection';
import { runPlacementAttempt, type StoreGate } from './placement-attempt';
import type {
  PlacementAttempt,
  PlacementJob,
  PlacementRunnerOptions,
  PlacementWorkerHandle,
} from './placement-queue';
import { createRedisCircuitBreaker } from './redis-circuit-breaker';
import { createRedisStoreLimiter } from './redis-store-limiter';

export type BullmqPlacementWorkerOptions = RedisTarget &
  QueueLocation &
  PlacementRunnerOptions & {
    /** A store slot (or probe) whose worker stopped renewing it is freed after this long. */
    storeLeaseMs?: number;
    /** BullMQ's job lock: a worker that stops renewing it (killed, frozen) loses the job after this long. */
    lockDurationMs?: number;
    /** How often BullMQ looks for jobs whose lock expired, to hand them to another worker. */
    stalledIntervalMs?: number;
    /** How many times a job may be recovered after its worker died before it is failed for good. */
    maxStalledCount?: number;
  };

/**
 * Starts a worker process's consumer of the placement queue. Resolves once it is connected and taking jobs.
 *
 * Mapping onto BullMQ: a handler failure is thrown back so BullMQ counts the attempt and asks our backoff for the
 * delay; a job that must not run yet (store at its limit, breaker open) is moved to delayed with `skipAttempt`
 * semantics (`job.moveToDelayed` + `DelayedError`), so waiting costs no attempt; a job that will not be tried
 * again has already had `onExhausted` called and is failed with `UnrecoverableError`.
 */
export async function startBullmqPlacementWorker(
  options: BullmqPlacementWorkerOptions,
): Promise<PlacementWorkerHandle> {
  const logger = (options.logger ?? silentLogger).child({ queue: options.queueName });
  const backoff = { ...defaultBackoffPolicy, ...options.backoff };
  const storeLeaseMs = options.storeLeaseMs ?? 60_000;
  const gateClient = openGateClient(options, (err) => logger.error({ err }, 'placement gate Redis error'));
  const keyPrefix = gateKeyPrefix(options);
  const breaker = createRedisCircuitBreaker({
    redis: gateClient.redis,
    keyPrefix,
    policy: { ...defaultBreakerPolicy, ...options.breaker, probeLeaseMs: storeLeaseMs },
  });
  const gate: StoreGate = {
    limiter: createRedisStoreLimiter({
      redis: gateClient.redis,
      keyPrefix,
      limit: options.storeConcurrency ?? 10,
      leaseMs: storeLeaseMs,
    }),
    breaker,
    renewEveryMs: Math.floor(storeLeaseMs / 3),
    busyDelayMs: options.storeBusyDelayMs ?? 1_000,
    paused: options.isStorePaused,
    pausedDelayMs: options.pausedRecheckMs,
  };
  const deps = { handler: options.handler, onExhausted: options.onExhausted, gate, logger };

  async function processJob(job: Job<PlacementJob>, token?: string): Promise<void> {
    const result = await runPlacementAttempt(job.data, attemptOf(job), deps);
    switch (result.kind) {
      case 'done':
        return;
      case 'held':
        await job.moveToDelayed(Date.now() + result.delayMs, token);
        throw new DelayedError();
      case 'retry':
        throw result.error;
      case 'exhausted':
        throw new UnrecoverableError(`${result.error.name}: ${result.error.message}`);
    }
  }

  const worker = new Worker<PlacementJob>(options.queueName, processJob, {
    connection: bullmqConnection(options),
    prefix: options.prefix ?? DEFAULT_PREFIX,
    concurrency: options.concurrency ?? 50,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    // A rolling deploy that has to kill a slow worker should not fail an order on the first crash.
    maxStalledCount: options.maxStalledCount ?? 2,
    // Used for every job: runPlacementAttempt has already decided that a retry will happen (and skipped
    // onExhausted), so this must never answer -1 ("do not retry"), whatever backoff type a job names.
    settings: { backoffStrategy: (attemptsMade, _type, err) => computeBackoffMs(attemptsMade, backoff, err) },
  });

  worker.on('error', (err) => logger.error({ err }, 'placement worker error'));
  // The one way a job ends without our processor: it kept stalling (its workers died) past maxStalledCount, so
  // BullMQ fails it with a deferred failure before calling us. Best effort (a crash here loses the call); the
  // domain's recovery sweep covers orders left in placing.
  worker.on('failed', (job, err) => {
    if (!job?.deferredFailure) return;
    logger.error({ err, orderNumber: job.data.orderNumber }, 'placement failed: its workers kept dying');
    options.onExhausted(job.data, err).catch((fallbackErr: unknown) => {
      logger.error({ err: fallbackErr, orderNumber: job.data.orderNumber }, 'failed to run the exhausted handler');
    });
  });

  try {
    await worker.waitUntilReady();
  } catch (err) {
    await worker.close(true);
    await gateClient.release();
    throw err;
  }

  return {
    getBreakerState: (storeId) => breaker.getState(storeId),
    async close() {
      try {
        await worker.close();
      } finally {
        await gateClient.release();
      }
    },
  };
}

/**
 * BullMQ's counters: `attemptsMade` counts failed tries (delays with skipAttempt do not add to it) and
 * `stalledCounter` counts recoveries after a worker lost the job. Either one means an earlier run may have reached
 * the retailer. (`attemptsStarted` is no use here: it also counts the runs that were only held back by the gate.)
 */
function attemptOf(job: Job<PlacementJob>): PlacementAttempt {
  return {
    attempt: job.attemptsMade + 1,
    maxAttempts: Math.max(1, job.opts.attempts ?? 1),
    maybeRan: job.attemptsMade > 0 || job.stalledCounter > 0,
  };
}
