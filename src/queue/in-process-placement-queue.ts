import { silentLogger } from '../logger';
import { computeBackoffMs, defaultBackoffPolicy, type Random } from './backoff';
import { defaultBreakerPolicy, type BreakerStatus } from './breaker-state';
import { createMemoryCircuitBreaker } from './circuit-breaker';
import { runPlacementAttempt } from './placement-attempt';
import type { StoreGate } from './store-gate';
import {
  placementJobKey,
  type PlacementHandlers,
  type PlacementJob,
  type PlacementQueue,
  type PlacementQueueControl,
  type PlacementRunnerOptions,
} from './placement-queue';
import { createMemoryStoreLimiter } from './store-limiter';

/** The handlers may be given later, with `start`: the services they call are built with this queue's enqueue. */
export interface InProcessPlacementQueueOptions
  extends Omit<PlacementRunnerOptions, keyof PlacementHandlers>, Partial<PlacementHandlers> {
  /** Tries per job, the first included. */
  attempts?: number;
  now?: () => number;
  random?: Random;
}

export interface InProcessPlacementQueue extends PlacementQueue, PlacementQueueControl {
  /** Resolves once nothing is queued, running or waiting to retry. For tests and orderly shutdown. */
  drain(): Promise<void>;
  getBreakerState(storeId: string): Promise<BreakerStatus>;
  /** Starts running jobs with these handlers (once; jobs enqueued before wait for it). */
  start(handlers: PlacementHandlers): void;
}

interface Entry {
  job: PlacementJob;
  /** Failed tries so far; holds for a busy store or an open breaker do not count. */
  failures: number;
  /** Enqueue order: a resumed store's jobs go back in it. */
  seq: number;
  timer?: NodeJS.Timeout;
  /** Waiting because ops paused the store (a resume releases it early). */
  heldForPause?: boolean;
}

/**
 * The embedded queue for running without Redis: the same semantics as the BullMQ one (dedupe by order number,
 * retries with backoff, per-store limit and breaker) in memory. Not durable: jobs still queued when the process
 * stops are gone, and the domain's recovery sweep re-enqueues paid orders that were never placed.
 * Dedupe lasts while a job is queued, running or waiting to retry; there is no window after it finishes.
 */
export function createInProcessPlacementQueue(options: InProcessPlacementQueueOptions): InProcessPlacementQueue {
  const concurrency = options.concurrency ?? 50;
  const attempts = options.attempts ?? 6;
  const backoff = { ...defaultBackoffPolicy, ...options.backoff };
  const logger = options.logger ?? silentLogger;
  const random = options.random ?? Math.random;
  const breaker = createMemoryCircuitBreaker({ ...defaultBreakerPolicy, ...options.breaker }, options.now);
  const limiter = createMemoryStoreLimiter(options.storeConcurrency ?? 10);
  let deps: Parameters<typeof runPlacementAttempt>[2] | null = null;
  function start(handlers: PlacementHandlers): void {
    if (deps) throw new Error('placement queue already started');
    // Memory slots and probes die with the process, never before it: no leases, so nothing to renew.
    const gate: StoreGate = {
      limiter,
      breaker,
      busyDelayMs: options.storeBusyDelayMs ?? 250,
      paused: handlers.isStorePaused,
      storeLimit: handlers.storeSlotLimit,
      pausedDelayMs: options.pausedRecheckMs,
    };
    deps = { handler: handlers.handler, onExhausted: handlers.onExhausted, gate, logger, random };
    pump();
  }

  const entries = new Map<string, Entry>();
  const ready: Entry[] = [];
  let running = 0;
  let enqueued = 0;
  let closed = false;
  let idleWaiters: Array<() => void> = [];

  function pump(): void {
    while (deps && !closed && running < concurrency && ready.length > 0) {
      void run(ready.shift()!);
    }
    if (entries.size === 0 || (closed && running === 0)) {
      for (const resolve of idleWaiters) resolve();
      idleWaiters = [];
    }
  }

  function later(entry: Entry, delayMs: number): void {
    if (closed) return;
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      entry.heldForPause = false;
      ready.push(entry);
      pump();
    }, delayMs);
  }

  async function run(entry: Entry): Promise<void> {
    running++;
    const attempt = { attempt: entry.failures + 1, maxAttempts: attempts, maybeRan: entry.failures > 0 };
    try {
      const result = await runPlacementAttempt(entry.job, attempt, deps!);
      if (result.kind === 'held') {
        later(entry, result.delayMs);
        entry.heldForPause = result.reason === 'store_paused';
      } else if (result.kind === 'retry') {
        entry.failures++;
        later(entry, computeBackoffMs(entry.failures, backoff, result.error, random));
      } else {
        entries.delete(placementJobKey(entry.job));
      }
    } catch (err) {
      // The in-memory gate does not throw and handler errors are results, so this is a bug: drop the job rather
      // than leave it blocking its order number forever (the recovery sweep re-enqueues unplaced paid orders).
      logger.error({ err, orderNumber: entry.job.orderNumber }, 'placement attempt crashed; job dropped');
      entries.delete(placementJobKey(entry.job));
    } finally {
      running--;
      pump();
    }
  }

  if (options.handler && options.onExhausted) {
    start({
      handler: options.handler,
      onExhausted: options.onExhausted,
      isStorePaused: options.isStorePaused,
      storeSlotLimit: options.storeSlotLimit,
    });
  }

  return {
    start,
    async enqueue(jobs) {
      if (closed) throw new Error('placement queue is closed');
      for (const job of jobs) {
        const key = placementJobKey(job);
        if (entries.has(key)) continue;
        const entry: Entry = {
          job: { orderNumber: job.orderNumber, storeId: job.storeId, runKey: job.runKey },
          failures: 0,
          seq: enqueued++,
        };
        entries.set(key, entry);
        ready.push(entry);
      }
      pump();
    },
    drain() {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        pump();
      });
    },
    getBreakerState: (storeId) => breaker.getState(storeId),
    async releaseStore(storeId) {
      const held = [...entries.values()].filter(
        (entry) => entry.heldForPause && entry.timer && entry.job.storeId === storeId,
      );
      held.sort((a, b) => a.seq - b.seq);
      for (const entry of held) {
        clearTimeout(entry.timer);
        entry.timer = undefined;
        entry.heldForPause = false;
        ready.push(entry);
      }
      pump();
      return held.length;
    },
    async close() {
      closed = true;
      for (const entry of entries.values()) clearTimeout(entry.timer);
      ready.length = 0;
      await new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        pump();
      });
    },
  };
}
