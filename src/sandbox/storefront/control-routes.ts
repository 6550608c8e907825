import express, { Router, type Response } from 'express';
import { z } from 'zod';
import type { StoreState } from './store-state';

/**
 * The test switches over HTTP, for tests that drive the shop from another process. Loopback sandbox only:
 * there is no authentication here on purpose.
 *
 *   GET  /_store/orders                                   → DemoOrder[]
 *   POST /_store/out-of-stock          {sku, outOfStock}
 *   POST /_store/latency               {ms}
 *   POST /_store/variant               {variant: 'normal' | 'changed-button'}
 *   POST /_store/price                 {sku, cents}
 *   POST /_store/fail-next-checkouts   {count}
 *   POST /_store/crash-after-next-order
 *   POST /_store/reset
 */
const bodies = {
  outOfStock: z.object({ sku: z.string().min(1), outOfStock: z.boolean() }),
  latency: z.object({ ms: z.int().min(0).max(120_000) }),
  variant: z.object({ variant: z.enum(['normal', 'changed-button']) }),
  price: z.object({ sku: z.string().min(1), cents: z.int().min(0) }),
  failNextCheckouts: z.object({ count: z.int().min(0) }),
};

export function createControlRoutes(state: StoreState): Router {
  const router = Router();
  router.use(express.json());

  const handle =
    <T>(schema: z.ZodType<T>, apply: (body: T) => void) =>
    (req: express.Request, res: Response) => {
      const parsed = schema.safeParse(req.body ?? {});
      if (!parsed.success) return res.status(400).json({ error: z.prettifyError(parsed.error) });
      try {
        apply(parsed.data);
      } catch (error) {
        return res.status(404).json({ error: (error as Error).message });
      }
      res.status(204).end();
    };

  router.get('/orders', (_req, res) => res.json(state.orders()));
  router.post(
    '/out-of-stock',
    handle(bodies.outOfStock, ({ sku, outOfStock }) => state.setOutOfStock(sku, outOfStock)),
  );
  router.post(
    '/latency',
    handle(bodies.latency, ({ ms }) => (state.switches.latencyMs = ms)),
  );
  router.post(
    '/variant',
    handle(bodies.variant, ({ variant }) => (state.switches.variant = variant)),
  );
  router.post(
    '/price',
    handle(bodies.price, ({ sku, cents }) => state.setPrice(sku, cents)),
  );
  router.post(
    '/fail-next-checkouts',
    handle(bodies.failNextCheckouts, ({ count }) => (state.switches.failingCheckouts = count)),
  );
  router.post(
    '/crash-after-next-order',
    handle(z.unknown(), () => (state.switches.crashAfterNextOrder = true)),
  );
  router.post(
    '/reset',
    handle(z.unknown(), () => state.reset()),
  );
  return router;
}
