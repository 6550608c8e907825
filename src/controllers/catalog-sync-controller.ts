import type { Request, Response } from 'express';
import { principalOf } from '../http/auth';
import { send, sendPage } from '../http/respond';
import { parseInput } from '../http/validate';
import { CatalogChangeListQuery, CatalogSyncListQuery } from '../http/schemas/catalog-sync';
import { StoreSlugParam } from '../http/schemas/products';
import { DomainError } from '../domain/errors';
import type { CatalogChangeRecord, CatalogSyncRunRecord } from '../domain/catalog-sync';
import type { CatalogSyncService } from '../services/catalog-sync-service';

export const presentSyncRun = (run: CatalogSyncRunRecord) => ({
  runId: run.id,
  storeSlug: run.storeSlug,
  storeName: run.storeName,
  status: run.status,
  trigger: run.trigger,
  requestedBy: run.requestedBy,
  pagesRead: run.pagesRead,
  productsSeen: run.productsSeen,
  changes: {
    added: run.added,
    priceChanged: run.priceChanges,
    availabilityChanged: run.availabilityChanges,
    detailsChanged: run.detailsChanges,
    delisted: run.delisted,
  },
  retries: run.retries,
  error: run.error,
  errorTransient: run.errorTransient,
  startedAt: run.startedAt.toISOString(),
  finishedAt: run.finishedAt?.toISOString() ?? null,
});

const presentChange = (change: CatalogChangeRecord) => ({
  changeId: change.id,
  runId: change.runId,
  storeSlug: change.storeSlug,
  storeName: change.storeName,
  currency: change.currency,
  productId: change.productId,
  sku: change.sku,
  name: change.name,
  kind: change.kind,
  oldPriceCents: change.oldPriceCents,
  newPriceCents: change.newPriceCents,
  createdAt: change.createdAt.toISOString(),
});

export function createCatalogSyncController(catalogSync: CatalogSyncService) {
  return {
    async syncStore(req: Request, res: Response) {
      const { slug } = parseInput(StoreSlugParam, req.params, 'slug');
      const run = await catalogSync.syncStore(slug, principalOf(req).userId);
      if (run.status === 'failed') {
        throw new DomainError('catalog_sync_failed', `The catalog of "${slug}" could not be read: ${run.error}`, {
          run: presentSyncRun(run),
        });
      }
      send(res, presentSyncRun(run), 201);
    },
    async listRuns(req: Request, res: Response) {
      const query = parseInput(CatalogSyncListQuery, req.query, 'query');
      const { runs, totalRuns } = await catalogSync.listRuns({ storeSlug: query.store }, query);
      sendPage(res, runs.map(presentSyncRun), { totalRuns, limit: query.limit, offset: query.offset });
    },
    async listChanges(req: Request, res: Response) {
      const query = parseInput(CatalogChangeListQuery, req.query, 'query');
      const { changes, totalChanges } = await catalogSync.listChanges(
        { storeSlug: query.store, kind: query.kind, runId: query.run },
        query,
      );
      sendPage(res, changes.map(presentChange), { totalChanges, limit: query.limit, offset: query.offset });
    },
  };
}
