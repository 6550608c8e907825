import { Router } from 'express';
import type { createMeController } from '../controllers/me-controller';

/** Any authenticated caller, whatever the role. */
export function meRoutes(controller: ReturnType<typeof createMeController>): Router {
  const router = Router();
  router.get('/me', controller.get);
  return router;
}
