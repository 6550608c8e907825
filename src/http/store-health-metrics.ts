import { Gauge, type Registry } from 'prom-client';
import {
  HEALTH_WINDOWS,
  type HealthWindow,
  type StoreHealthRow,
  type StoreHealthService,
} from '../services/store-health-service';

/** A scrape reads every window once, however many gauges ask; a second scrape within this reuses it. */
const SCRAPE_REUSE_MS = 1_000;

/**
 * The store health figures as Prometheus gauges, computed from the database at scrape time (so every API process
 * reports the same values; scrape one, or aggregate with max). Labels are bounded: the stores ops configured, three
 * methods, three windows.
 */
export function registerStoreHealthMetrics(registry: Registry, health: StoreHealthService): void {
  let last: { at: number; rows: Promise<Array<[HealthWindow, StoreHealthRow[]]>> } | null = null;
  const figures = () => {
    if (!last || Date.now() - last.at > SCRAPE_REUSE_MS) {
      const rows = Promise.all(
        (Object.keys(HEALTH_WINDOWS) as HealthWindow[]).map(
          async (w) => [w, await health.figures(w)] as [HealthWindow, StoreHealthRow[]],
        ),
      );
      last = { at: Date.now(), rows };
      rows.catch(() => (last = null));
    }
    return last.rows;
  };

  const windowed = (name: string, help: string, value: (row: StoreHealthRow) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['store', 'method', 'window'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const [window, rows] of await figures()) {
          for (const row of rows) {
            const v = value(row);
            if (v !== null) this.set({ store: row.store.slug, method: row.method, window }, v);
          }
        }
      },
    });

  windowed(
    'mor_store_placement_orders',
    'Orders placed at checkout in the window, by store and first method',
    (r) => r.orders,
  );
  windowed(
    'mor_store_placement_success_ratio',
    'Placed ÷ settled orders (after retries and fallbacks)',
    (r) => r.successRate,
  );
  windowed(
    'mor_store_placement_first_try_success_ratio',
    'Orders placed by their first try ÷ orders tried',
    (r) => r.firstTrySuccessRate,
  );
  windowed('mor_store_place_seconds_p50', 'Median seconds from place to placed', (r) => r.placeSecondsP50);
  windowed('mor_store_place_seconds_p95', '95th percentile seconds from place to placed', (r) => r.placeSecondsP95);
  windowed(
    'mor_store_manual_share_ratio',
    'Orders ending in a manual task or price review ÷ orders',
    (r) => r.manualShare,
  );
  windowed(
    'mor_store_failed_placement_refund_cents',
    'Refunds caused by failed placement, in cents',
    (r) => r.failedRefundCents,
  );

  const perStore = (
    name: string,
    help: string,
    labels: string[],
    fill: (gauge: Gauge<string>, rows: StoreHealthRow[]) => void,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: labels,
      registers: [registry],
      async collect() {
        this.reset();
        const day = (await figures()).find(([w]) => w === '24h')?.[1] ?? [];
        const seen = new Set<string>();
        fill(
          this,
          day.filter((r) => !seen.has(r.store.slug) && seen.add(r.store.slug)),
        );
      },
    });
  perStore('mor_store_paused', '1 while ops have paused the store', ['store'], (g, rows) => {
    for (const r of rows) g.set({ store: r.store.slug }, r.store.pausedAt ? 1 : 0);
  });
  perStore(
    'mor_store_breaker_state',
    'The store circuit breaker: 1 for its current state',
    ['store', 'state'],
    (g, rows) => {
      for (const r of rows) {
        if (!r.breaker) continue;
        for (const state of ['closed', 'open', 'half_open'])
          g.set({ store: r.store.slug, state }, r.breaker.state === state ? 1 : 0);
      }
    },
  );
}
