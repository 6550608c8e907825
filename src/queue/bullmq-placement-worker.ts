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
import { runPlacementAttempt } from './placement-attempt';
import type { PlacementAttempt, PlacementJob, PlacementRunnerOptions, PlacementWorkerHandle } from './placement-queue';
import type { QueueMethod } from './placement-methods';
import { createRedisStoreGate } from './redis-store-gate';
import type { StoreGate } from './store-gate';

/** How often a running job renews its store slot, by default. */
export const DEFAULT_HEARTBEAT_MS = 2_000;
/** A slot outlives its last renewal by this many heartbeats: a live worker keeps it, a killed one frees it in seconds. */
const LEASE_HEARTBEATS = 3;
/** Recoveries past ours before BullMQ fails a job on its own. */
const STALLED_BACKSTOP = 3;

export type BullmqPlacementWorkerOptions = RedisTarget &
  QueueLocation &
  PlacementRunnerOptions & {
    /** How often a running job renews its store slot (and probe): the worker's heartbeat. */
    heartbeatMs?: number;
    /** A store slot (or probe) whose worker stopped renewing it is freed after this long; 3 heartbeats by default. */
    storeLeaseMs?: number;
    /** BullMQ's job lock: a worker that stops renewing it (killed, frozen) loses the job after this long. */
    lockDurationMs?: number;
    /** How often BullMQ looks for jobs whose lock expired, to hand them to another worker. */
    stalledIntervalMs?: number;
    /**
     * How many times a job may be recovered after its worker died; the next recovery gives up on it (the
     * domain's exhausted handler, which asks the retailer first) instead of running it again.
     */
    maxStalledCount?: number;
    /**
     * The queue whose store gate (slots, breakers) this worker shares; `queueName` by default. Every method queue
     * shares the base queue's gate, so a store's limit and breaker hold across methods and one order never runs
     * on two queues at once (its slot is keyed by the order).
     */
    gateQueueName?: string;
    /** A method queue's worker: the method it runs, and how a job whose order now places by another moves there. */
    route?: { method: QueueMethod; handOff(job: PlacementJob, method: QueueMethod): Promise<void> };
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
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const storeLeaseMs = options.storeLeaseMs ?? LEASE_HEARTBEATS * heartbeatMs;
  const maxStalledCount = options.maxStalledCount ?? 2;
  const gateClient = openGateClient(options, (err) => logger.error({ err }, 'placement gate Redis error'));
  const keyPrefix = gateKeyPrefix({ queueName: options.gateQueueName ?? options.queueName, prefix: options.prefix });
  const route = options.route;
  const runs = route ? (method: QueueMethod) => method === route.method : undefined;
  const gate: StoreGate = {
    ...createRedisStoreGate({
      redis: gateClient.redis,
      keyPrefix,
      limit: options.storeConcurrency ?? 10,
      leaseMs: storeLeaseMs,
      breakerPolicy: { ...defaultBreakerPolicy, ...options.breaker, probeLeaseMs: storeLeaseMs },
    }),
    renewEveryMs: Math.min(heartbeatMs, Math.floor(storeLeaseMs / 2)),
    busyDelayMs: options.storeBusyDelayMs ?? 1_000,
    paused: options.isStorePaused,
    storeLimit: options.storeSlotLimit,
    pausedDelayMs: options.pausedRecheckMs,
  };
  const deps = { handler: options.handler, onExhausted: options.onExhausted, gate, logger };

  async function processJob(job: Job<PlacementJob>, token?: string): Promise<void> {
    if (job.stalledCounter > maxStalledCount) return giveUpOnStalledJob(job);
    const result = await runPlacementAttempt(job.data, { ...attemptOf(job), runs }, deps);
    switch (result.kind) {
      case 'done':
        return;
      case 'hand_off':
        // Thrown on failure like a handler error: the job is retried here and hands off again.
        await route!.handOff(job.data, result.method);
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

  /**
   * A job whose workers kept dying (a retailer so slow that deploys or crashes keep interrupting it). The give-up runs
   * while the job is still ours: if this worker dies too, the job stalls again and the next worker gives up.
   */
  async function giveUpOnStalledJob(job: Job<PlacementJob>): Promise<never> {
    const times = job.stalledCounter === 1 ? '1 time' : `${job.stalledCounter} times`;
    const error = new Error(`its workers died ${times} while placing it`);
    logger.error(
      { orderNumber: job.data.orderNumber, stalled: job.stalledCounter },
      'placement given up: its workers kept dying',
    );
    await options.onExhausted(job.data, error);
    throw new UnrecoverableError(error.message);
  }

  const worker = new Worker<PlacementJob>(options.queueName, processJob, {
    connection: bullmqConnection(options),
    prefix: options.prefix ?? DEFAULT_PREFIX,
    concurrency: options.concurrency ?? 50,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    // Ours decides (processJob gives up once a job stalled more than maxStalledCount times, inside the processor so a
    // crash there is recovered like any other); BullMQ's own limit is a backstop for a give-up that kills its workers.
    maxStalledCount: maxStalledCount + STALLED_BACKSTOP,
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
    // Only past the backstop: the give-up itself kept killing workers.
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
    getBreakerState: (storeId) => gate.breaker.getState(storeId),
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
