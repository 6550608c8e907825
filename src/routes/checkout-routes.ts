import { Router, type RequestHandler } from 'express';
import type { createCheckoutController } from '../controllers/checkout-controller';

export function checkoutRoutes(
  controller: ReturnType<typeof createCheckoutController>,
  idempotent: RequestHandler,
): Router {
  const router = Router();
  router.post('/checkout/sessions', controller.create);
  router.get('/checkout/sessions/:sessionId', controller.get);
  router.put('/checkout/sessions/:sessionId/shipping', controller.setShipping);
  router.put('/checkout/sessions/:sessionId/shipping-options', controller.setShippingChoices);
  router.put('/checkout/sessions/:sessionId/payment', controller.setPayment);
  router.post('/checkout/sessions/:sessionId/place', idempotent, controller.place);
  router.delete('/checkout/sessions/:sessionId', controller.cancel);
  return router;
}
