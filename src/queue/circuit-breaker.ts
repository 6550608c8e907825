import {
  admitCall,
  closedBreaker,
  describeBreaker,
  renewProbe,
  settleCall,
  type BreakerAdmission,
  type BreakerOutcome,
  type BreakerPolicy,
  type BreakerSnapshot,
  type BreakerStatus,
} from './breaker-state';

/**
 * A circuit breaker per store. Asked before a placement runs (so a shut store's jobs wait instead of failing) and
 * told how it ended. The rules live in breaker-state.ts; implementations only decide where the snapshot is kept.
 */
export interface StoreCircuitBreaker {
  admit(storeId: string): Promise<BreakerAdmission>;
  settle(storeId: string, outcome: BreakerOutcome, wasProbe: boolean): Promise<void>;
  /** Keeps a running probe's half-open slot; call it periodically while the probe runs. */
  renewProbe(storeId: string): Promise<void>;
  getState(storeId: string): Promise<BreakerStatus>;
}

/** The breaker for a single process (the embedded queue): snapshots in a Map. */
export function createMemoryCircuitBreaker(policy: BreakerPolicy, now: () => number = Date.now): StoreCircuitBreaker {
  const snapshots = new Map<string, BreakerSnapshot>();
  const read = (storeId: string) => snapshots.get(storeId) ?? closedBreaker;
  const write = (storeId: string, next: BreakerSnapshot) => {
    if (next === closedBreaker) snapshots.delete(storeId);
    else snapshots.set(storeId, next);
  };

  return {
    async admit(storeId) {
      const { next, result } = admitCall(read(storeId), now(), policy);
      write(storeId, next);
      return result;
    },
    async settle(storeId, outcome, wasProbe) {
      write(storeId, settleCall(read(storeId), outcome, wasProbe, now(), policy));
    },
    async renewProbe(storeId) {
      write(storeId, renewProbe(read(storeId), now(), policy));
    },
    async getState(storeId) {
      return describeBreaker(read(storeId), now(), policy);
    },
  };
}
