import { DomainError } from '../domain/errors';
import type { PlacementMethod } from '../domain/placement-method';
import type { BreakerStatus } from '../queue/breaker-state';
import type { PlacementQueueControl } from '../queue/placement-queue';
import * as health from '../repositories/store-health-repository';
import { findStoreLevers, listLeverEvents, listStoreLevers } from '../repositories/store-levers-repository';
import type { StoreLeversRecord } from '../domain/store-levers';
import type { ServiceDeps } from './service-deps';
import { effectiveMethod } from './store-levers-service';

export const HEALTH_WINDOWS = { '1h': 60 * 60_000, '24h': 24 * 60 * 60_000, '7d': 7 * 24 * 60 * 60_000 } as const;
export type HealthWindow = keyof typeof HEALTH_WINDOWS;
const SERIES_BUCKET = { '1h': 'minute', '24h': 'hour', '7d': 'day' } as const;

export interface StoreHealthRow extends Omit<health.StoreMethodCounts, 'storeId'> {
  store: StoreLeversRecord;
  /** The method the store's new placements go by right now (ops' switch, or the configured one). */
  currentMethod: PlacementMethod;
  breaker: BreakerStatus | null;
  /** placed ÷ settled orders: first try and after retries and fallbacks. Null when nothing settled. */
  successRate: number | null;
  /** Orders whose first try placed them ÷ orders whose first try reached a verdict. */
  firstTrySuccessRate: number | null;
  /** Orders that ended in a manual task or a price review ÷ orders. */
  manualShare: number | null;
}

const ratio = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);
const BREAKER_RANK = { open: 0, half_open: 1, closed: 2 } as const;

/** Worst first: a tripped breaker, then the lowest success rate, the highest manual share, the slowest p95. */
function worstFirst(a: StoreHealthRow, b: StoreHealthRow): number {
  return (
    BREAKER_RANK[a.breaker?.state ?? 'closed'] - BREAKER_RANK[b.breaker?.state ?? 'closed'] ||
    (a.successRate ?? 2) - (b.successRate ?? 2) ||
    (b.manualShare ?? 0) - (a.manualShare ?? 0) ||
    (b.placeSecondsP95 ?? 0) - (a.placeSecondsP95 ?? 0) ||
    a.store.slug.localeCompare(b.store.slug) ||
    a.method.localeCompare(b.method)
  );
}

const emptyCounts = (method: PlacementMethod): Omit<health.StoreMethodCounts, 'storeId'> => ({
  method,
  orders: 0,
  attempts: 0,
  placed: 0,
  failed: 0,
  firstTries: 0,
  firstTryPlaced: 0,
  manual: 0,
  failedRefundCents: 0,
  placeSecondsP50: null,
  placeSecondsP95: null,
});

/**
 * How well each retailer is bought from, computed from the database (orders, placement attempts, tasks, the
 * ledger) so every API process shows the same figures. The breaker comes from the queue (Redis for BullMQ).
 */
export function createStoreHealthService(
  deps: ServiceDeps,
  queue: PlacementQueueControl | undefined,
  options: { countsCacheMs?: number } = {},
) {
  const { db, clock, logger } = deps;
  // The counts are the expensive part (a week of orders); dashboards, scrapes and several viewers within a few
  // seconds share one reading. Pauses, switches and breakers are read fresh every time.
  const countsCacheMs = options.countsCacheMs ?? 5_000;
  const cached = new Map<HealthWindow, { at: number; counts: Promise<health.StoreMethodCounts[]> }>();

  function countsFor(window: HealthWindow): Promise<health.StoreMethodCounts[]> {
    const now = clock.now().getTime();
    const hit = cached.get(window);
    if (hit && now - hit.at < countsCacheMs) return hit.counts;
    const counts = health.storeMethodCounts(db, new Date(now - HEALTH_WINDOWS[window]), new Date(now));
    cached.set(window, { at: now, counts });
    counts.catch(() => cached.delete(window));
    return counts;
  }

  async function breakerOf(storeId: string): Promise<BreakerStatus | null> {
    if (!queue) return null;
    try {
      return await queue.getBreakerState(storeId);
    } catch (err) {
      logger.warn({ err, storeId }, 'could not read the store breaker');
      return null;
    }
  }

  function toRow(
    store: StoreLeversRecord,
    counts: Omit<health.StoreMethodCounts, 'storeId'>,
    breaker: BreakerStatus | null,
  ): StoreHealthRow {
    const { storeId: _omit, ...rest } = counts as health.StoreMethodCounts;
    return {
      ...rest,
      store,
      currentMethod: effectiveMethod(store),
      breaker,
      successRate: ratio(counts.placed, counts.placed + counts.failed),
      firstTrySuccessRate: ratio(counts.firstTryPlaced, counts.firstTries),
      manualShare: ratio(counts.manual, counts.orders),
    };
  }

  async function rowsFor(stores: StoreLeversRecord[], window: HealthWindow): Promise<StoreHealthRow[]> {
    const counts = await countsFor(window);
    const breakers = new Map(await Promise.all(stores.map(async (s) => [s.id, await breakerOf(s.id)] as const)));
    const rows: StoreHealthRow[] = [];
    for (const store of stores) {
      const mine = counts.filter((c) => c.storeId === store.id);
      // Every store has a row, even with no orders in the window: a paused or idle store is still on the board.
      if (!mine.some((c) => c.method === effectiveMethod(store)))
        mine.push({ storeId: store.id, ...emptyCounts(effectiveMethod(store)) });
      for (const c of mine) rows.push(toRow(store, c, breakers.get(store.id) ?? null));
    }
    return rows.sort(worstFirst);
  }

  return {
    /** One row per store and method over the window, worst first. */
    async figures(window: HealthWindow): Promise<StoreHealthRow[]> {
      return rowsFor(await listStoreLevers(db), window);
    },

    /** One store: its rows, orders over time, latest failed tries (reasons and screenshots) and lever pulls. */
    async detail(slug: string, window: HealthWindow, failureLimit = 20) {
      const store = await findStoreLevers(db, slug);
      if (!store) throw new DomainError('store_not_found', `Store ${slug} not found`);
      const since = new Date(clock.now().getTime() - HEALTH_WINDOWS[window]);
      const [rows, series, failures, levers] = await Promise.all([
        rowsFor([store], window),
        health.storeHealthSeries(db, store.id, since, SERIES_BUCKET[window]),
        health.recentPlacementFailures(db, store.id, since, failureLimit),
        listLeverEvents(db, store.id, 20),
      ]);
      return { store, rows, series, failures, levers };
    },
  };
}

export type StoreHealthService = ReturnType<typeof createStoreHealthService>;
