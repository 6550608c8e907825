import { Router, type RequestHandler } from 'express';
import { requireRole } from '../http/auth';
import type { createAdminOrdersController } from '../controllers/admin-orders-controller';

export function adminOrdersRoutes(
  controller: ReturnType<typeof createAdminOrdersController>,
  idempotent: RequestHandler,
): Router {
  const router = Router();
  router.post('/admin/orders/:orderNumber/refunds', requireRole('admin'), idempotent, controller.refund);
  router.post('/admin/orders/:orderNumber/cancel', requireRole('admin'), controller.cancel);
  return router;
}
