import express, { type Express } from 'express';
import swaggerUi from 'swagger-ui-express';
import { createCartController } from './controllers/cart-controller';
import { createCatalogController } from './controllers/catalog-controller';
import { createCheckoutController } from './controllers/checkout-controller';
import { createOrdersController } from './controllers/orders-controller';
import { authenticate } from './http/auth';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { idempotent } from './http/idempotency';
import { createMetrics } from './http/metrics';
import { registerStoreHealthMetrics } from './http/store-health-metrics';
import { observeRequests } from './http/request-observer';
import { buildOpenApiDocument } from './http/openapi';
import { cartRoutes } from './routes/cart-routes';
import { adminCatalogRoutes, publicCatalogRoutes } from './routes/catalog-routes';
import { checkoutRoutes } from './routes/checkout-routes';
import { operationsRoutes, type ReadinessCheck } from './routes/operations-routes';
import { ordersRoutes } from './routes/orders-routes';
import type { Services } from './services/create-services';
import { createOpsController } from './controllers/ops-controller';
import { opsRoutes } from './routes/ops-routes';
import { createAdminOrdersController } from './controllers/admin-orders-controller';
import { createWebhooksController } from './controllers/webhooks-controller';
import { adminOrdersRoutes } from './routes/admin-orders-routes';
import { webhooksRoutes } from './routes/webhooks-routes';
import { opsDashboardRoutes } from './routes/ops-dashboard-routes';
import type { Redis } from 'ioredis';
import { createMeController } from './controllers/me-controller';
import { DEFAULT_HTTP_SETTINGS, type HttpSettings } from './http/http-settings';
import { inputHygiene } from './http/input-hygiene';
import { createRateLimits } from './http/rate-limits';
import { metricsAccess, noStore, securityHeaders } from './http/security-headers';
import { meRoutes } from './routes/me-routes';
import { createProductsController } from './controllers/products-controller';
import { productsRoutes } from './routes/products-routes';
import { createCatalogSyncController } from './controllers/catalog-sync-controller';
import { catalogSyncRoutes } from './routes/catalog-sync-routes';
import type { Queue } from 'bullmq';
import { createStoreHealthController } from './controllers/store-health-controller';
import { storeHealthRoutes } from './routes/store-health-routes';
import { QUEUE_BOARD_PATH, queueBoardRoutes } from './routes/queue-board-routes';
import { createReconciliationController } from './controllers/reconciliation-controller';
import { reconciliationRoutes } from './routes/reconciliation-routes';
import { registerReconciliationMetrics } from './http/reconciliation-metrics';
import { createWebhookEndpointsController } from './controllers/webhook-endpoints-controller';
import { webhookEndpointsRoutes } from './routes/webhook-endpoints-routes';
import { createPromotionsController } from './controllers/promotions-controller';
import { promotionsRoutes } from './routes/promotions-routes';

/** What the HTTP app needs beyond the services: how it authenticates, limits, checks and shows itself. */
export interface AppOptions {
  jwtSecret: string;
  readinessChecks?: Record<string, ReadinessCheck>;
  /** Headers, operational pages and rate limits; each part defaults to DEFAULT_HTTP_SETTINGS. */
  http?: Partial<HttpSettings>;
  /** Where rate limits count, so they hold across processes; in memory when absent. */
  rateLimitRedis?: Redis;
  /** Keeps one app's counts apart from another's in a shared Redis (tests). */
  rateLimitPrefix?: string;
  /** Where headless placement keeps failure screenshots (ARTIFACTS_DIR), for the store health drill-down. */
  artifactsDir?: string;
  /** The BullMQ queues Bull Board shows under /ops/queues; none with the in-process queue. */
  boardQueues?: readonly Queue[];
}

/**
 * The HTTP app over services already built (`createServices`, through src/bootstrap/compose.ts in the API
 * process): middleware, routes, controllers. Nothing here builds a use case or is a module-level singleton.
 */
export function createApp(services: Services, options: AppOptions) {
  const { db, logger } = services.deps;
  const metrics = createMetrics();
  registerStoreHealthMetrics(metrics.registry, services.storeHealth);

  const http: HttpSettings = { ...DEFAULT_HTTP_SETTINGS, ...options.http };
  const limits = createRateLimits(http.rateLimits, logger, options.rateLimitRedis, options.rateLimitPrefix);
  registerReconciliationMetrics(metrics.registry, services.reconciliation.latestFinishedRun);

  const app: Express = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // API answers are per-shopper JSON that clients never revalidate: hashing every body for an ETag is wasted CPU.
  app.set('etag', false);
  app.use(observeRequests(logger, metrics));
  app.use(securityHeaders(http));
  app.use(
    express.json({
      limit: '100kb',
      // Webhook signatures are computed over the exact bytes received.
      verify: (req, _res, buf) => {
        if ((req as express.Request).url?.startsWith('/api/v1/webhooks')) (req as express.Request).rawBody = buf;
      },
    }),
  );
  app.use(inputHygiene);

  app.use('/metrics', metricsAccess(http));
  app.use(operationsRoutes({ database: () => db.raw('select 1'), ...options.readinessChecks }, metrics.registry));
  if (http.apiDocs) {
    const openApi = buildOpenApiDocument();
    app.get('/api/docs.json', (_req, res) => {
      res.json(openApi);
    });
    app.use('/api/docs', swaggerUi.serve, swaggerUi.setup(openApi));
  }

  const api = express.Router();
  api.use(noStore);
  const catalogController = createCatalogController(services.catalog, services.storeChecks);
  // Before anything reads a store or an event: no token, so the client's address is what is counted.
  api.use(['/stores', '/products', '/webhooks'], limits.anonymous);
  api.use(publicCatalogRoutes(catalogController));
  api.use(productsRoutes(createProductsController(services.products)));
  api.use(webhooksRoutes(createWebhooksController(services.retailerWebhooks, services.paymentWebhooks)));
  api.use(authenticate(options.jwtSecret));
  api.use(meRoutes(createMeController()));
  api.use(adminCatalogRoutes(catalogController));
  api.use(cartRoutes(createCartController(services.cart)));
  api.use(promotionsRoutes(createPromotionsController(services.promotions, services.shippingOptions)));
  const idempotentRequest = idempotent(services.idempotency);
  api.post('/checkout/sessions/:sessionId/place', limits.shopperPayments);
  api.put('/checkout/sessions/:sessionId/payment', limits.shopperPayments);
  api.use(checkoutRoutes(createCheckoutController(services.checkout, services.placeCheckout), idempotentRequest));
  api.use(ordersRoutes(createOrdersController(services.orders)));
  api.use(catalogSyncRoutes(createCatalogSyncController(services.catalogSync)));
  api.use(opsRoutes(createOpsController(services.ops)));
  api.use(
    storeHealthRoutes(
      createStoreHealthController(services.storeHealth, services.storeLevers, options.artifactsDir ?? './artifacts'),
    ),
  );
  api.use(reconciliationRoutes(createReconciliationController(services.reconciliation)));
  api.use(adminOrdersRoutes(createAdminOrdersController(services.orderAdmin), idempotentRequest));
  api.use(webhookEndpointsRoutes(createWebhookEndpointsController(services.webhookEndpoints)));
  app.use('/api/v1', api);
  app.use(QUEUE_BOARD_PATH, queueBoardRoutes(options.boardQueues ?? [], options.jwtSecret));
  app.use('/ops', opsDashboardRoutes());

  app.use(notFoundHandler);
  app.use(errorHandler);
  return { app, services, metrics };
}

export type App = ReturnType<typeof createApp>;
