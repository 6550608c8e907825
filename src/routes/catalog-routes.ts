import { Router } from 'express';
import { requireRole } from '../http/auth';
import type { createCatalogController } from '../controllers/catalog-controller';

type CatalogController = ReturnType<typeof createCatalogController>;

/** Anyone may browse stores. */
export function publicCatalogRoutes(controller: CatalogController): Router {
  const router = Router();
  router.get('/stores', controller.listStores);
  return router;
}

export function adminCatalogRoutes(controller: CatalogController): Router {
  const router = Router();
  router.post('/admin/stores', requireRole('admin'), controller.createStore);
  router.put('/admin/stores/:slug', requireRole('admin'), controller.updateStore);
  router.post('/admin/stores/:slug/check', requireRole('admin'), controller.checkStore);
  router.put('/admin/products', requireRole('admin'), controller.upsertProduct);
  return router;
}
