import { Router } from 'express';
import type { createWebhooksController } from '../controllers/webhooks-controller';

/** No bearer token here: each webhook proves itself with a signature. */
export function webhooksRoutes(controller: ReturnType<typeof createWebhooksController>): Router {
  const router = Router();
  router.post('/webhooks/retailers/:storeSlug', controller.retailer);
  router.post('/webhooks/stripe', controller.stripe);
  return router;
}
