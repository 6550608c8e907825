import type { Logger } from 'pino';
import type { BackoffPolicy } from './backoff';
import type { BreakerPolicy, BreakerStatus } from './breaker-state';
import type { QueueMethod } from './placement-methods';

/**
 * The placement queue contract: one job per paid store order. The queue owns the mechanics (dedupe, retries,
 * per-store limits, circuit breaking); the domain supplies what "placing" means through the handlers below.
 */
export interface PlacementJob {
  /** Our order number; also the job's identity, so enqueueing it twice is a no-op. */
  orderNumber: string;
  storeId: string;
  /**
   * Names a later run of the same order (a fallback method, an ops retry). The job's identity is the order
   * number plus this key, so each run is deduplicated on its own while the first run's record is kept.
   */
  runKey?: string;
  /**
   * The method whose queue should carry the job, as the producer knows it (a fresh order's method, a fallback's).
   * Absent, the queue reads it from the order. A guess that went stale is corrected by the worker (a hand-off).
   */
  method?: QueueMethod;
}

/** The identity a job is deduplicated by. */
export const placementJobKey = (job: Pick<PlacementJob, 'orderNumber' | 'runKey'>): string =>
  job.runKey ? `${job.orderNumber}.${job.runKey}` : job.orderNumber;

export interface PlacementAttempt {
  /** 1 for the first try. Runs the queue delayed because the store was busy or its breaker open do not count. */
  attempt: number;
  maxAttempts: number;
  /**
   * True when an earlier run of this job may have reached the retailer: a previous attempt failed, or a worker
   * died (or lost its lock) while running it. The handler should then look the order up before buying again.
   */
  maybeRan: boolean;
  /**
   * Whether this queue runs a method. Absent, it runs every one (the in-process queue). A handler whose order now
   * places by a method this queue does not run (ops switched the store, a fallback) answers `{ handOffTo }` and
   * places nothing; the queue moves the job to that method's queue.
   */
  runs?: (method: QueueMethod) => boolean;
}

/** The handler's answer for a job that belongs on another method's queue. */
export interface PlacementHandOff {
  handOffTo: QueueMethod;
}

/**
 * Places one store order. Resolves when the job is done (placed, deferred to people, or finally failed by the
 * domain itself). Throw `TransientPlacementError` (or any error that is not a `PermanentPlacementError`) to be
 * retried with backoff; throw `PermanentPlacementError` to stop retrying. Must be idempotent per order number.
 */
export type PlacementJobHandler = (job: PlacementJob, attempt: PlacementAttempt) => Promise<void | PlacementHandOff>;

/**
 * Called once when a job will not be tried again (permanent error, retries exhausted, or a job that kept crashing
 * its workers), so the domain can fall back, fail or refund. Must be idempotent: after a crash at the wrong moment
 * it can be called again for the same order.
 */
export type PlacementExhaustedHandler = (job: PlacementJob, error: Error) => Promise<void>;

/**
 * Hands store orders to placement; the port the services enqueue through. Call it only once the orders are
 * committed. Orders already queued (or recently finished, for the BullMQ queue) are skipped.
 */
export type EnqueuePlacements = (jobs: PlacementJob[]) => Promise<void>;

export interface PlacementQueue {
  /** Adds one job per order; orders already queued (or recently finished, for the BullMQ queue) are skipped. */
  enqueue: EnqueuePlacements;
  close(): Promise<void>;
}

export interface PlacementWorkerHandle {
  /** The store's circuit breaker as every worker sees it, for metrics and the ops API. */
  getBreakerState(storeId: string): Promise<BreakerStatus>;
  /** Stops taking jobs and waits for the running ones to finish. */
  close(): Promise<void>;
}

/** What the domain supplies to a queue's consumer: what placing a job means, and the stores' levers. */
export interface PlacementHandlers {
  handler: PlacementJobHandler;
  onExhausted: PlacementExhaustedHandler;
  /**
   * Whether ops paused the store. A paused store's jobs wait without spending an attempt until a resume releases
   * them (`PlacementQueueControl.releaseStore`), or, should that call be lost, until they ask again.
   */
  isStorePaused?: (storeId: string) => Promise<boolean>;
  /**
   * The store's own limit of placements at once, shared by every worker (e.g. a headless store's `concurrency`: a
   * shop account with a server-side cart places one order at a time); absent, the queue's per-store limit.
   */
  storeSlotLimit?: (storeId: string) => Promise<number | undefined>;
}

/** What both queue implementations take: the domain's handlers and the same retry and store-gate policy. */
export interface PlacementRunnerOptions extends PlacementHandlers {
  /** Jobs running at once in this process. */
  concurrency?: number;
  /** Jobs running at once for one store (across every worker process, for BullMQ). */
  storeConcurrency?: number;
  breaker?: Partial<Omit<BreakerPolicy, 'probeLeaseMs'>>;
  backoff?: Partial<BackoffPolicy>;
  /** How long a job held back by a busy store (or a running probe) waits before asking again. */
  storeBusyDelayMs?: number;
  /** How long a paused store's job waits before asking again. */
  pausedRecheckMs?: number;
  logger?: Logger;
}

/** What the API needs of the queue beyond enqueueing: the breakers as the workers see them, and a resume. */
export interface PlacementQueueControl {
  getBreakerState(storeId: string): Promise<BreakerStatus>;
  /** Sends a resumed store's waiting jobs back to the queue at once, oldest first. Resolves with how many. */
  releaseStore(storeId: string): Promise<number>;
}
