import { setTimeout as sleep } from 'node:timers/promises';
import {
  CatalogReadError,
  findCatalogReader,
  type CatalogReader,
  type CatalogStore,
  type RetailerProduct,
} from '../catalog/catalog-reader';
import { DomainError } from '../domain/errors';
import { applyCatalog, CatalogRunTakenOverError } from '../repositories/catalog-apply';
import * as runs from '../repositories/catalog-sync-repository';
import type { CatalogChangeKind, CatalogSyncRunRecord, CatalogSyncTrigger } from '../domain/catalog-sync';
import * as stores from '../repositories/stores-repository';
import type { StoreRecord } from '../domain/store';
import type { ServiceDeps } from './service-deps';

export interface CatalogSyncSettings {
  /** Between two syncs of a store that went well. */
  intervalMs: number;
  /** Tries of one page within a run before the run gives up (transient errors only). */
  pageAttempts: number;
  /** The first in-run retry waits this long, each later one twice as long (or the retailer's Retry-After, capped). */
  pageRetryBaseMs: number;
  maxRetryAfterMs: number;
  /** After a run failed transiently, the next waits this long, doubled per failure in a row, at most failureMaxMs. */
  failureBaseMs: number;
  failureMaxMs: number;
  /** A run not finished by then is taken to be dead (its process stopped) and another may start. */
  leaseMs: number;
  /** A catalog with more pages is refused (a retailer whose cursor never ends). */
  maxPages: number;
}

export const DEFAULT_CATALOG_SYNC_SETTINGS: CatalogSyncSettings = {
  intervalMs: 15 * 60_000,
  pageAttempts: 3,
  pageRetryBaseMs: 500,
  maxRetryAfterMs: 30_000,
  failureBaseMs: 60_000,
  failureMaxMs: 60 * 60_000,
  leaseMs: 15 * 60_000,
  maxPages: 10_000,
};

interface ReadCatalog {
  products: RetailerProduct[];
  pagesRead: number;
  retries: number;
}

class CatalogRunFailure extends Error {
  constructor(
    readonly readError: CatalogReadError,
    readonly read: { pagesRead: number; productsSeen: number; retries: number },
  ) {
    super(readError.message);
  }
}

/**
 * Keeps the catalog of stores whose retailer can be read (a `CatalogReader` for their connection) in step with the
 * retailer: read every page first, outside any transaction, then apply the whole catalog in one (see
 * `applyCatalog`). A page that fails transiently is retried within the run; a run that still fails writes nothing
 * but its own failed record, and the schedule tries again later, sooner for transient failures. Checkout sessions
 * are never touched: their snapshots are frozen copies, not references to products.
 */
export function createCatalogSyncService(
  deps: ServiceDeps,
  readers: readonly CatalogReader[],
  overrides: Partial<CatalogSyncSettings> = {},
) {
  const { db, clock, logger } = deps;
  const settings = { ...DEFAULT_CATALOG_SYNC_SETTINGS, ...overrides };

  const asCatalogStore = (store: StoreRecord): CatalogStore => ({
    slug: store.slug,
    placementMethod: store.placementMethod,
    placementConfig: store.placementConfig,
  });

  async function readPageWithRetries(
    reader: CatalogReader,
    store: CatalogStore,
    cursor: string | null,
    counters: { retries: number },
  ) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await reader.readPage(store, cursor);
      } catch (error) {
        const readError = error instanceof CatalogReadError ? error : new CatalogReadError(String(error), false);
        if (!readError.transient || attempt >= settings.pageAttempts) throw readError;
        counters.retries += 1;
        const backoff = settings.pageRetryBaseMs * 2 ** (attempt - 1);
        await sleep(Math.min(settings.maxRetryAfterMs, Math.max(backoff, readError.retryAfterMs ?? 0)));
      }
    }
  }

  async function readWholeCatalog(reader: CatalogReader, store: CatalogStore): Promise<ReadCatalog> {
    const bySku = new Map<string, RetailerProduct>();
    const counters = { retries: 0 };
    const cursorsSeen = new Set<string>();
    let cursor: string | null = null;
    let pagesRead = 0;
    do {
      let page;
      try {
        page = await readPageWithRetries(reader, store, cursor, counters);
      } catch (error) {
        throw new CatalogRunFailure(error as CatalogReadError, {
          pagesRead,
          productsSeen: bySku.size,
          retries: counters.retries,
        });
      }
      pagesRead += 1;
      // A sku listed twice counts once, as its last listing says.
      for (const product of page.products) bySku.set(product.sku, product);
      cursor = page.nextCursor;
      if (cursor !== null && (cursorsSeen.has(cursor) || pagesRead >= settings.maxPages)) {
        const cause = new CatalogReadError(
          `the retailer's pages do not end (cursor ${cursor} after ${pagesRead} pages)`,
          false,
        );
        throw new CatalogRunFailure(cause, { pagesRead, productsSeen: bySku.size, retries: counters.retries });
      }
      if (cursor !== null) cursorsSeen.add(cursor);
    } while (cursor !== null);
    return { products: [...bySku.values()], pagesRead, retries: counters.retries };
  }

  async function sync(
    store: StoreRecord,
    reader: CatalogReader,
    trigger: CatalogSyncTrigger,
    requestedBy: string | null,
  ): Promise<CatalogSyncRunRecord> {
    const runId = await runs.claimRun(db, {
      storeId: store.id,
      trigger,
      requestedBy,
      now: clock.now(),
      leaseMs: settings.leaseMs,
    });
    if (runId === null)
      throw new DomainError('request_in_progress', `A catalog sync of "${store.slug}" is already running`);
    const log = logger.child({ storeSlug: store.slug, catalogSyncRun: runId, platform: reader.platform });
    try {
      const read = await readWholeCatalog(reader, asCatalogStore(store));
      if (read.products.length === 0 && (await runs.countListedProducts(db, store.id)) > 0) {
        // An empty answer is likelier a retailer fault than a shop that sold out of everything at once.
        const cause = new CatalogReadError(
          'the retailer listed no products at all; its listed products were left as they are',
          false,
        );
        throw new CatalogRunFailure(cause, { pagesRead: read.pagesRead, productsSeen: 0, retries: read.retries });
      }
      const counts = await applyCatalog(
        db,
        { id: runId, storeId: store.id, now: clock.now(), pagesRead: read.pagesRead, retries: read.retries },
        read.products,
      );
      log.info({ ...counts, productsSeen: read.products.length }, 'catalog synced');
    } catch (error) {
      if (error instanceof CatalogRunTakenOverError) log.warn('catalog sync outlived its lease; another run took over');
      else if (error instanceof CatalogRunFailure) {
        log.warn(
          { err: error.readError, transient: error.readError.transient },
          'catalog sync failed; nothing was changed',
        );
        await runs.failRun(db, runId, {
          error: error.message,
          transient: error.readError.transient,
          ...error.read,
          now: clock.now(),
        });
      } else {
        await runs.failRun(db, runId, {
          error: 'internal error',
          transient: true,
          pagesRead: 0,
          productsSeen: 0,
          retries: 0,
          now: clock.now(),
        });
        throw error;
      }
    }
    return runs.findRun(db, runId);
  }

  /** When a store's next scheduled run is due, from its latest run. */
  function nextDueAt(latest: {
    status: string;
    startedAt: Date;
    errorTransient: boolean | null;
    failuresInARow: number;
  }): number {
    const started = latest.startedAt.getTime();
    if (latest.status === 'running') return started + settings.leaseMs;
    if (latest.status === 'succeeded') return started + settings.intervalMs;
    if (!latest.errorTransient) return started + Math.max(settings.intervalMs, settings.failureMaxMs);
    return (
      started + Math.min(settings.failureMaxMs, settings.failureBaseMs * 2 ** Math.max(0, latest.failuresInARow - 1))
    );
  }

  return {
    /** Syncs one store now (ops' "sync now"); the run as recorded, succeeded or failed. */
    async syncStore(
      slug: string,
      requestedBy: string | null,
      trigger: CatalogSyncTrigger = 'manual',
    ): Promise<CatalogSyncRunRecord> {
      const store = await stores.findStoreBySlug(db, slug);
      if (!store) throw new DomainError('store_not_found', `Store "${slug}" not found`);
      const reader = findCatalogReader(readers, asCatalogStore(store));
      if (!reader) {
        throw new DomainError(
          'catalog_not_readable',
          `Store "${slug}" has no connection that can read its catalog; keep it up to date with PUT /admin/products`,
        );
      }
      return sync(store, reader, trigger, requestedBy);
    },

    /** Every store whose catalog can be read and whose next run is due, one after the other. The scheduler's tick. */
    async syncDueStores(): Promise<{ succeeded: number; failed: number }> {
      const latest = await runs.latestRuns(db);
      const outcome = { succeeded: 0, failed: 0 };
      for (const store of await stores.listStores(db)) {
        const reader = findCatalogReader(readers, asCatalogStore(store));
        const last = latest.get(store.id);
        if (!reader || (last && nextDueAt(last) > clock.now().getTime())) continue;
        try {
          const run = await sync(store, reader, 'schedule', null);
          outcome[run.status === 'succeeded' ? 'succeeded' : 'failed'] += 1;
        } catch (error) {
          if (!(error instanceof DomainError && error.code === 'request_in_progress')) throw error;
        }
      }
      return outcome;
    },

    async listRuns(filter: { storeSlug?: string }, page: { limit: number; offset: number }) {
      const { runs: list, total } = await runs.listRuns(db, filter, page);
      return { runs: list, totalRuns: total };
    },

    async listChanges(
      filter: { storeSlug?: string; kind?: CatalogChangeKind; runId?: number },
      page: { limit: number; offset: number },
    ) {
      const { changes, total } = await runs.listChanges(db, filter, page);
      return { changes, totalChanges: total };
    },
  };
}

export type CatalogSyncService = ReturnType<typeof createCatalogSyncService>;
