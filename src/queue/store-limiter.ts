/**
 * At most `limit` placements running at once for one store. A slot is held by a named holder (the order number),
 * so re-acquiring it is idempotent and a job re-delivered after its worker died takes back its own slot.
 */
export interface StoreLimiter {
  /** Takes (or renews) one of the store's slots for `holder`; false when all are held by others. */
  tryAcquire(storeId: string, holder: string): Promise<boolean>;
  /** Extends a held slot's lease; false when it had already expired (the holder should carry on regardless). */
  renew(storeId: string, holder: string): Promise<boolean>;
  release(storeId: string, holder: string): Promise<void>;
  /** How many slots are held right now. */
  inFlight(storeId: string): Promise<number>;
}

/** The limiter for a single process: a set of holders per store. Nothing can crash half-way, so no leases. */
export function createMemoryStoreLimiter(limit: number): StoreLimiter {
  const holders = new Map<string, Set<string>>();

  return {
    async tryAcquire(storeId, holder) {
      const held = holders.get(storeId) ?? new Set<string>();
      if (!held.has(holder) && held.size >= limit) return false;
      held.add(holder);
      holders.set(storeId, held);
      return true;
    },
    async renew(storeId, holder) {
      return holders.get(storeId)?.has(holder) ?? false;
    },
    async release(storeId, holder) {
      const held = holders.get(storeId);
      held?.delete(holder);
      if (held?.size === 0) holders.delete(storeId);
    },
    async inFlight(storeId) {
      return holders.get(storeId)?.size ?? 0;
    },
  };
}
