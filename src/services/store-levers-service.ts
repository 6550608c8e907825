import { DomainError } from '../domain/errors';
import type { Principal } from '../domain/principal';
import type { PlacementMethod } from '../domain/placement-method';
import type { PlacementQueueControl } from '../queue/placement-queue';
import * as levers from '../repositories/store-levers-repository';
import type { StoreLeversRecord } from '../domain/store-levers';
import type { ServiceDeps } from './service-deps';

export interface StoreLeversOptions {
  /**
   * How long a worker trusts its last reading that a store is not paused. A pause reaches the other processes
   * within this; the process that pulled the lever knows at once, and a resume is seen at once everywhere. One
   * indexed read per store per period, not per job.
   */
  pauseCacheMs?: number;
}

/** The method a store's new placements go by: ops' switch if any, else what the admin configured. */
export const effectiveMethod = (
  store: Pick<StoreLeversRecord, 'placementMethod' | 'methodOverride'>,
): PlacementMethod => store.methodOverride ?? store.placementMethod;

/**
 * The levers ops pull on a store: pause (its placements wait in the queue; a resume releases them in the order they
 * came) and switch method (e.g. everything to people during a retailer outage). Every pull is recorded with who
 * and why, in the same transaction as the change.
 */
export function createStoreLeversService(
  deps: ServiceDeps,
  queue: PlacementQueueControl | undefined,
  options: StoreLeversOptions = {},
) {
  const { db, logger, clock } = deps;
  const cacheMs = options.pauseCacheMs ?? 1_000;
  const pauses = new Map<string, { paused: boolean; readAt: number }>();
  const slotLimits = new Map<string, { limit: number | undefined; readAt: number }>();

  async function load(slug: string): Promise<StoreLeversRecord> {
    const store = await levers.findStoreLevers(db, slug);
    if (!store) throw new DomainError('store_not_found', `Store ${slug} not found`);
    return store;
  }

  return {
    /**
     * The queue's pause check. Only "not paused" is trusted from the cache: a job about to be held is checked
     * against the database, because a resume in another process releases the held jobs at once, and a stale
     * "paused" would hold them again for a whole recheck period. Paused stores are rare, so this costs little.
     * A failed read counts as the last answer (or not paused): placing goes on.
     */
    async isPaused(storeId: string): Promise<boolean> {
      const cached = pauses.get(storeId);
      const now = clock.now().getTime();
      if (cached && !cached.paused && now - cached.readAt < cacheMs) return false;
      try {
        const paused = await levers.isStorePaused(db, storeId);
        pauses.set(storeId, { paused, readAt: now });
        return paused;
      } catch (err) {
        logger.error({ err, storeId }, 'could not read whether the store is paused');
        return cached?.paused ?? false;
      }
    },

    /** The queue's per-store slot limit (a headless store's `concurrency`), read like the pause: cached briefly. */
    async slotLimit(storeId: string): Promise<number | undefined> {
      const cached = slotLimits.get(storeId);
      const now = clock.now().getTime();
      if (cached && now - cached.readAt < cacheMs) return cached.limit;
      try {
        const limit = await levers.findStoreSlotLimit(db, storeId);
        slotLimits.set(storeId, { limit, readAt: now });
        return limit;
      } catch (err) {
        logger.error({ err, storeId }, 'could not read the store slot limit');
        return cached?.limit;
      }
    },

    async pause(principal: Principal, slug: string, reason: string): Promise<StoreLeversRecord> {
      const paused = await levers.pauseStore(db, slug, { actor: principal.userId, reason });
      if (!paused) {
        const store = await load(slug);
        throw new DomainError('store_already_paused', `Store ${slug} was paused by ${store.pausedBy}`, {
          pausedBy: store.pausedBy,
        });
      }
      pauses.delete(paused.id);
      logger.warn({ store: slug, by: principal.userId, reason }, 'store paused');
      return paused;
    },

    /** Resumes the store and sends its waiting placements back to the queue, oldest first. */
    async resume(
      principal: Principal,
      slug: string,
      reason: string,
    ): Promise<{ store: StoreLeversRecord; released: number }> {
      const resumed = await levers.resumeStore(db, slug, { actor: principal.userId, reason });
      if (!resumed) {
        await load(slug);
        throw new DomainError('store_not_paused', `Store ${slug} is not paused`);
      }
      pauses.delete(resumed.id);
      let released = 0;
      try {
        released = (await queue?.releaseStore(resumed.id)) ?? 0;
      } catch (err) {
        // The held jobs still ask again on their own (pausedRecheckMs): later, never lost.
        logger.error({ err, store: slug }, "could not release the resumed store's placements at once");
      }
      logger.warn({ store: slug, by: principal.userId, reason, released }, 'store resumed');
      return { store: resumed, released };
    },

    /**
     * Sends the store's next placements to `method`. Only methods the store has settings for: its configured one
     * (which clears the switch), its fallback, or people.
     */
    async switchMethod(
      principal: Principal,
      slug: string,
      method: PlacementMethod,
      reason: string,
    ): Promise<StoreLeversRecord> {
      const store = await load(slug);
      const allowed = new Set<PlacementMethod>([
        store.placementMethod,
        'manual',
        ...(store.fallbackMethod ? [store.fallbackMethod] : []),
      ]);
      if (!allowed.has(method)) {
        throw new DomainError('method_not_configured', `Store ${slug} has no settings for ${method} placement`, {
          allowed: [...allowed],
        });
      }
      const override = method === store.placementMethod ? null : method;
      const switched = await levers.switchStoreMethod(db, slug, override, {
        actor: principal.userId,
        reason,
        fromMethod: effectiveMethod(store),
        toMethod: method,
      });
      logger.warn({ store: slug, by: principal.userId, reason, method }, 'store placement method switched');
      return switched ?? (await load(slug));
    },

    async events(slug: string, limit = 20) {
      const store = await load(slug);
      return levers.listLeverEvents(db, store.id, limit);
    },
  };
}

export type StoreLeversService = ReturnType<typeof createStoreLeversService>;
