import { Router } from 'express';
import type { createProductsController } from '../controllers/products-controller';

/** Anyone may browse products, like stores. */
export function productsRoutes(controller: ReturnType<typeof createProductsController>): Router {
  const router = Router();
  router.get('/products', controller.listProducts);
  router.get('/stores/:slug/products', controller.listStoreProducts);
  return router;
}
