import { Router } from 'express';
import { requireRole } from '../http/auth';
import type { createOpsController } from '../controllers/ops-controller';

export function opsRoutes(controller: ReturnType<typeof createOpsController>): Router {
  const router = Router();
  router.use('/ops', requireRole('ops'));
  router.get('/ops/tasks', controller.listTasks);
  router.get('/ops/tasks/:taskId', controller.getTask);
  router.post('/ops/tasks/:taskId/claim', controller.claim);
  router.post('/ops/tasks/:taskId/release', controller.release);
  router.post('/ops/tasks/:taskId/complete', controller.complete);
  router.post('/ops/tasks/:taskId/fail', controller.fail);
  router.get('/ops/orders', controller.listOrders);
  router.post('/ops/orders/:orderNumber/retry', controller.retryOrder);
  return router;
}
