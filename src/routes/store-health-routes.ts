import { Router } from 'express';
import { requireRole } from '../http/auth';
import type { createStoreHealthController } from '../controllers/store-health-controller';

export function storeHealthRoutes(controller: ReturnType<typeof createStoreHealthController>): Router {
  const router = Router();
  router.use('/ops', requireRole('ops'));
  router.get('/ops/stores', controller.list);
  router.get('/ops/stores/:slug', controller.detail);
  router.post('/ops/stores/:slug/pause', controller.pause);
  router.post('/ops/stores/:slug/resume', controller.resume);
  router.post('/ops/stores/:slug/method', controller.switchMethod);
  router.get('/ops/artifacts/:fileName', controller.artifact);
  return router;
}
