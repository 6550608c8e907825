import { Router } from 'express';
import type { createPromotionsController } from '../controllers/promotions-controller';
import { requireRole } from '../http/auth';

export function promotionsRoutes(controller: ReturnType<typeof createPromotionsController>): Router {
  const router = Router();
  router.post('/cart/promo', controller.applyToCart);
  router.delete('/cart/promo', controller.removeFromCart);
  router.get('/admin/promotions', requireRole('admin'), controller.list);
  router.post('/admin/promotions', requireRole('admin'), controller.create);
  router.get('/admin/promotions/:code', requireRole('admin'), controller.get);
  router.put('/admin/promotions/:code', requireRole('admin'), controller.update);
  router.get('/admin/stores/:slug/shipping-options', requireRole('admin'), controller.getShippingOptions);
  router.put('/admin/stores/:slug/shipping-options', requireRole('admin'), controller.setShippingOptions);
  return router;
}
