import { Router } from 'express';
import { requireRole } from '../http/auth';
import type { createOrdersController } from '../controllers/orders-controller';

export function ordersRoutes(controller: ReturnType<typeof createOrdersController>): Router {
  const router = Router();
  router.get('/orders', controller.list);
  router.get('/orders/stats', controller.stats);
  router.get('/orders/:orderNumber', controller.get);
  router.put('/orders/:orderNumber/tracking', requireRole('ops'), controller.recordTracking);
  return router;
}
