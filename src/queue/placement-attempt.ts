import type { Logger } from 'pino';
import { PermanentPlacementError } from '../placement/placement-adapter';
import { spreadDelayMs, type Random } from './backoff';
import type { QueueMethod } from './placement-methods';
import {
  placementJobKey,
  type PlacementAttempt,
  type PlacementExhaustedHandler,
  type PlacementJob,
  type PlacementJobHandler,
} from './placement-queue';
import { enterStore, leaveStore, type StoreGate } from './store-gate';
import type { SlotRefusal } from './store-limiter';

/** Paused jobs ask again this often unless a resume releases them first (the release is the usual way out). */
export const DEFAULT_PAUSED_RECHECK_MS = 30_000;

export interface AttemptDeps {
  handler: PlacementJobHandler;
  onExhausted: PlacementExhaustedHandler;
  gate: StoreGate;
  logger: Logger;
  random?: Random;
}

/** How one pass ended; each queue maps it onto its own mechanics (BullMQ states, or timers). */
export type AttemptResult =
  | { kind: 'done' }
  /** The order places by a method this queue does not run: nothing was placed; move the job to that method's queue. */
  | { kind: 'hand_off'; method: QueueMethod }
  /** The handler did not run: ask again after `delayMs`. Costs no attempt. */
  | { kind: 'held'; reason: SlotRefusal | 'store_paused' | 'breaker_open' | 'breaker_probing'; delayMs: number }
  /** The handler failed and attempts remain: retry with backoff. */
  | { kind: 'retry'; error: Error }
  /** The job will not be tried again; `onExhausted` has been called. */
  | { kind: 'exhausted'; error: Error };

/**
 * One pass at a job: through the store's breaker and slot limit, the domain handler with the slot held, then the
 * breaker told how it went. The decision "retry or give up" is made here so both queues share it.
 */
export async function runPlacementAttempt(
  job: PlacementJob,
  attempt: PlacementAttempt,
  deps: AttemptDeps,
): Promise<AttemptResult> {
  const { gate, logger } = deps;
  const random = deps.random ?? Math.random;
  const log = logger.child({ orderNumber: job.orderNumber, storeId: job.storeId, attempt: attempt.attempt });

  if (gate.paused && (await gate.paused(job.storeId))) {
    log.debug('placement held: store paused by ops');
    // No jitter: held jobs come back in the order they were held, like a resume releases them.
    return { kind: 'held', reason: 'store_paused', delayMs: gate.pausedDelayMs ?? DEFAULT_PAUSED_RECHECK_MS };
  }

  const runId = placementJobKey(job);
  const storeLimit = gate.storeLimit ? await gate.storeLimit(job.storeId) : undefined;
  const entry = await enterStore(gate)(job.storeId, job.orderNumber, runId, storeLimit);
  if (entry.slot === null) {
    const { admission } = entry;
    const wait = admission.reason === 'open' ? admission.retryInMs : Math.min(admission.retryInMs, gate.busyDelayMs);
    log.debug({ reason: admission.reason }, 'placement held: store breaker not closed');
    return { kind: 'held', reason: `breaker_${admission.reason}`, delayMs: spreadDelayMs(wait, random) };
  }
  const { probe } = entry.admission;
  if (entry.slot !== 'acquired') {
    if (probe) await bestEffort(log, 'release breaker probe', () => gate.breaker.settle(job.storeId, 'neutral', true));
    log.debug(
      { reason: entry.slot },
      'placement held: store at its concurrency limit, or another run of the order is placing it',
    );
    return { kind: 'held', reason: entry.slot, delayMs: spreadDelayMs(gate.busyDelayMs, random) };
  }

  const heartbeat =
    gate.renewEveryMs === undefined
      ? undefined
      : setInterval(() => {
          void bestEffort(log, 'renew store slot', async () => {
            await gate.limiter.renew(job.storeId, job.orderNumber, runId);
            if (probe) await gate.breaker.renewProbe(job.storeId);
          });
        }, gate.renewEveryMs).unref();

  let handOff: QueueMethod | undefined;
  const failure = await failureOf(async () => {
    handOff = (await deps.handler(job, attempt))?.handOffTo;
  });
  clearInterval(heartbeat);
  // A permanent refusal means the retailer answered: it says nothing about the store being down.
  const permanent = failure instanceof PermanentPlacementError;
  // A hand-off did not reach the retailer either.
  const outcome = failure ? (permanent ? 'neutral' : 'failure') : handOff ? 'neutral' : 'success';
  await bestEffort(log, 'release store slot and settle store breaker', () =>
    leaveStore(gate)(job.storeId, job.orderNumber, runId, outcome, probe),
  );

  if (!failure) return handOff ? { kind: 'hand_off', method: handOff } : { kind: 'done' };
  if (!permanent && attempt.attempt < attempt.maxAttempts) {
    log.warn({ err: failure }, 'placement attempt failed; will retry');
    return { kind: 'retry', error: failure };
  }

  log.error({ err: failure, permanent }, 'placement will not be retried');
  // A failing fallback must not resurrect the job: the domain's recovery sweep finds orders left in placing.
  await bestEffort(log, 'run the exhausted handler', () => deps.onExhausted(job, failure));
  return { kind: 'exhausted', error: failure };
}

/** Bookkeeping around the handler must never turn a finished placement into a retry. */
async function bestEffort(log: Logger, what: string, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (err) {
    log.error({ err }, `failed to ${what}`);
  }
}

async function failureOf(work: () => Promise<void>): Promise<Error | undefined> {
  try {
    await work();
    return undefined;
  } catch (thrown) {
    return thrown instanceof Error ? thrown : new Error(String(thrown));
  }
}
