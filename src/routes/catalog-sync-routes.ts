import { Router } from 'express';
import { requireRole } from '../http/auth';
import type { createCatalogSyncController } from '../controllers/catalog-sync-controller';

/** Catalog syncs from connected retailers: what ran, what changed, and "sync now". Ops (and admins). */
export function catalogSyncRoutes(controller: ReturnType<typeof createCatalogSyncController>): Router {
  const router = Router();
  router.post('/ops/stores/:slug/catalog-sync', requireRole('ops'), controller.syncStore);
  router.get('/ops/catalog/syncs', requireRole('ops'), controller.listRuns);
  router.get('/ops/catalog/changes', requireRole('ops'), controller.listChanges);
  return router;
}
