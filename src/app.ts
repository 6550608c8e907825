import express, { type Express } from 'express';
import type { Knex } from 'knex';
import swaggerUi from 'swagger-ui-express';
import { createCartController } from './controllers/cart-controller';
import { createCatalogController } from './controllers/catalog-controller';
import { createCheckoutController } from './controllers/checkout-controller';
import { createOrdersController } from './controllers/orders-controller';
import type { Clock } from './domain/clock';
import { authenticate } from './http/auth';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { idempotent } from './http/idempotency';
import { createMetrics } from './http/metrics';
import { observeRequests } from './http/request-observer';
import { buildOpenApiDocument } from './http/openapi';
import type { Logger } from './logger';
import type { PaymentGateway } from './payments/payment-gateway';
import { cartRoutes } from './routes/cart-routes';
import { adminCatalogRoutes, publicCatalogRoutes } from './routes/catalog-routes';
import { checkoutRoutes } from './routes/checkout-routes';
import { operationsRoutes, type ReadinessCheck } from './routes/operations-routes';
import { ordersRoutes } from './routes/orders-routes';
import { createServices, type ServiceWiring } from './services/create-services';
import { buildServiceDeps, type ServiceDeps, type ServiceSettings } from './services/service-deps';
import { createOpsController } from './controllers/ops-controller';
import { opsRoutes } from './routes/ops-routes';
import { createAdminOrdersController } from './controllers/admin-orders-controller';
import { createWebhooksController } from './controllers/webhooks-controller';
import { adminOrdersRoutes } from './routes/admin-orders-routes';
import { webhooksRoutes } from './routes/webhooks-routes';
import { opsDashboardRoutes } from './routes/ops-dashboard-routes';
import { createMeController } from './controllers/me-controller';
import { meRoutes } from './routes/me-routes';
import { createPromotionsController } from './controllers/promotions-controller';
import { promotionsRoutes } from './routes/promotions-routes';

export interface AppDeps {
  /** How orders reach placement: the automated adapters and the queue's enqueue. */
  db: Knex;
  payments: PaymentGateway;
  jwtSecret: string;
  placement: ServiceWiring;
  clock?: Clock;
  logger?: Logger;
  settings?: Partial<ServiceSettings>;
  readinessChecks?: Record<string, ReadinessCheck>;
  crashpoint?: ServiceDeps['crashpoint'];
}

/** The composition root: every dependency is passed in, nothing is a module-level singleton. */
export function createApp(deps: AppDeps) {
  const serviceDeps = buildServiceDeps(deps);
  const services = createServices(serviceDeps, deps.placement);
  const metrics = createMetrics();

  const app: Express = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // API answers are per-shopper JSON that clients never revalidate: hashing every body for an ETag is wasted CPU.
  app.set('etag', false);
  app.use(observeRequests(serviceDeps.logger, metrics));
  app.use(
    express.json({
      limit: '100kb',
      // Webhook signatures are computed over the exact bytes received.
      verify: (req, _res, buf) => {
        if ((req as express.Request).url?.startsWith('/api/v1/webhooks')) (req as express.Request).rawBody = buf;
      },
    }),
  );

  app.use(operationsRoutes({ database: () => deps.db.raw('select 1'), ...deps.readinessChecks }, metrics.registry));
  const openApi = buildOpenApiDocument();
  app.get('/api/docs.json', (_req, res) => {
    res.json(openApi);
  });
  app.use('/api/docs', swaggerUi.serve, swaggerUi.setup(openApi));

  const api = express.Router();
  const catalogController = createCatalogController(services.catalog);
  api.use(publicCatalogRoutes(catalogController));
  api.use(webhooksRoutes(createWebhooksController(services.retailerWebhooks, services.paymentWebhooks)));
  api.use(authenticate(deps.jwtSecret));
  api.use(meRoutes(createMeController()));
  api.use(adminCatalogRoutes(catalogController));
  api.use(cartRoutes(createCartController(services.cart)));
  api.use(promotionsRoutes(createPromotionsController(services.promotions, services.shippingOptions)));
  const idempotentRequest = idempotent(services.idempotency);
  api.use(checkoutRoutes(createCheckoutController(services.checkout, services.placeCheckout), idempotentRequest));
  api.use(ordersRoutes(createOrdersController(services.orders)));
  api.use(opsRoutes(createOpsController(services.ops)));
  api.use(adminOrdersRoutes(createAdminOrdersController(services.orderAdmin), idempotentRequest));
  app.use('/api/v1', api);
  app.use('/ops', opsDashboardRoutes());

  app.use(notFoundHandler);
  app.use(errorHandler);
  return { app, services, metrics };
}

export type App = ReturnType<typeof createApp>;
