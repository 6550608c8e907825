import type { BreakerAdmission, BreakerOutcome } from './breaker-state';
import type { StoreCircuitBreaker } from './circuit-breaker';
import type { SlotRefusal, StoreLimiter } from './store-limiter';

/** The breaker's answer and, when it let the job through, the slot's (null when the breaker refused). */
export type GateEntry =
  | { admission: Extract<BreakerAdmission, { admitted: false }>; slot: null }
  | { admission: Extract<BreakerAdmission, { admitted: true }>; slot: 'acquired' | SlotRefusal };

/**
 * The way in: the breaker's admission, then a slot. A probe admitted for a slot that is refused is still held
 * (`admission.probe`): the caller gives it back. Absent, the two are asked one after the other.
 */
export type EnterStore = (
  storeId: string,
  orderNumber: string,
  runId: string,
  storeLimit: number | undefined,
) => Promise<GateEntry>;

/** The way out: the slot released, then the breaker told how the run went. Absent, one after the other. */
export type LeaveStore = (
  storeId: string,
  orderNumber: string,
  runId: string,
  outcome: BreakerOutcome,
  wasProbe: boolean,
) => Promise<void>;

/** What stands between a job and its store: the per-store slots (one run per order) and the per-store breaker. */
export interface StoreGate {
  limiter: StoreLimiter;
  breaker: StoreCircuitBreaker;
  /** The breaker's admission and the slot in one call (the Redis gate: one round trip while the breaker is closed). */
  enter?: EnterStore;
  /** The slot's release and the breaker's settle in one call. */
  leave?: LeaveStore;
  /** How often a running job renews its slot and probe lease (well inside the lease); omit if leases never expire. */
  renewEveryMs?: number;
  /** How long a job waits before asking again when the store is at its limit or a probe is running. */
  busyDelayMs: number;
  /** Ops paused the store: its jobs wait, in the order they came, until it is resumed. */
  paused?: (storeId: string) => Promise<boolean>;
  /** The store's own limit of placements at once, across every worker, when it has one below the queue's. */
  storeLimit?: (storeId: string) => Promise<number | undefined>;
  pausedDelayMs?: number;
}

export const enterStore = (gate: StoreGate): EnterStore =>
  gate.enter ??
  (async (storeId, orderNumber, runId, storeLimit) => {
    const admission = await gate.breaker.admit(storeId);
    if (!admission.admitted) return { admission, slot: null };
    return { admission, slot: await gate.limiter.tryAcquire(storeId, orderNumber, runId, storeLimit) };
  });

export const leaveStore = (gate: StoreGate): LeaveStore =>
  gate.leave ??
  (async (storeId, orderNumber, runId, outcome, wasProbe) => {
    // The breaker hears how the run went even when the release failed (the slot's lease frees it then).
    try {
      await gate.limiter.release(storeId, orderNumber, runId);
    } finally {
      await gate.breaker.settle(storeId, outcome, wasProbe);
    }
  });
