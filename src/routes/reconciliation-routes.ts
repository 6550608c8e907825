import { Router } from 'express';
import { requireRole } from '../http/auth';
import type { createReconciliationController } from '../controllers/reconciliation-controller';

export function reconciliationRoutes(controller: ReturnType<typeof createReconciliationController>): Router {
  const router = Router();
  router.use('/ops/reconciliation', requireRole('ops'));
  router.get('/ops/reconciliation', controller.listRuns);
  router.get('/ops/reconciliation/:runId', controller.getRun);
  return router;
}
