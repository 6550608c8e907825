/** Why a run could not take a slot. */
export type SlotRefusal = 'store_busy' | 'order_busy';

/**
 * At most `limit` placements running at once for one store, and at most one run of an order at a time. A slot is
 * held by an order for one run (`runId`: the job's identity, which a fallback or an ops retry changes): the same run
 * taking it again is idempotent, so a job re-delivered after its worker died takes back its own slot, while another
 * run of the same order is refused until the first one ends, so two runs can never buy the same order at once.
 */
export interface StoreLimiter {
  /**
   * Takes (or re-takes) a slot of the store for this run of the order; otherwise says why not. `storeLimit` lowers
   * the limit for this store (a shop account that can place only so many orders at once), never raises it.
   */
  tryAcquire(
    storeId: string,
    orderNumber: string,
    runId: string,
    storeLimit?: number,
  ): Promise<'acquired' | SlotRefusal>;
  /**
   * Extends a held slot's lease (or takes a lapsed one back, if no other run of the order took it); false when
   * another run holds the order's slot now (the holder carries on regardless: it cannot undo what it started).
   */
  renew(storeId: string, orderNumber: string, runId: string): Promise<boolean>;
  /** Frees the slot if this run still holds it (a run whose lease ran out must not free its successor's). */
  release(storeId: string, orderNumber: string, runId: string): Promise<void>;
  /** How many slots are held right now. */
  inFlight(storeId: string): Promise<number>;
}

/** The limiter for a single process: the running order → run per store. Nothing can crash half-way, so no leases. */
export function createMemoryStoreLimiter(limit: number): StoreLimiter {
  const running = new Map<string, Map<string, string>>();

  return {
    async tryAcquire(storeId, orderNumber, runId, storeLimit) {
      const held = running.get(storeId) ?? new Map<string, string>();
      const holder = held.get(orderNumber);
      if (holder !== undefined) return holder === runId ? 'acquired' : 'order_busy';
      if (held.size >= Math.min(limit, storeLimit ?? limit)) return 'store_busy';
      held.set(orderNumber, runId);
      running.set(storeId, held);
      return 'acquired';
    },
    async renew(storeId, orderNumber, runId) {
      return running.get(storeId)?.get(orderNumber) === runId;
    },
    async release(storeId, orderNumber, runId) {
      const held = running.get(storeId);
      if (held?.get(orderNumber) !== runId) return;
      held.delete(orderNumber);
      if (held.size === 0) running.delete(storeId);
    },
    async inFlight(storeId) {
      return running.get(storeId)?.size ?? 0;
    },
  };
}
