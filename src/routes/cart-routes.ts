import { Router } from 'express';
import type { createCartController } from '../controllers/cart-controller';

export function cartRoutes(controller: ReturnType<typeof createCartController>): Router {
  const router = Router();
  router.get('/cart', controller.get);
  router.post('/cart/items', controller.addItem);
  router.patch('/cart/items/:itemId', controller.updateItem);
  router.delete('/cart/items/:itemId', controller.removeItem);
  router.delete('/cart', controller.clear);
  return router;
}
