import { createManualPlacementAdapter } from '../placement/manual-adapter';
import type { PlacementAdapter } from '../placement/placement-adapter';
import { createPlacementRegistry } from '../placement/placement-registry';
import { createCaptureService } from './capture-service';
import { createCartService } from './cart-service';
import { createCatalogService } from './catalog-service';
import { createCheckoutService } from './checkout-service';
import { createIdempotencyService } from './idempotency-service';
import { createOpsService } from './ops-service';
import { createOpsTaskService } from './ops-task-service';
import { createOrdersService } from './orders-service';
import { createPlaceCheckoutService } from './place-checkout-service';
import { createPlacementService, type PlacementRun } from './placement-service';
import { createOrderAdminService } from './order-admin-service';
import { createPaymentWebhookService } from './payment-webhook-service';
import { createPromotionService } from './promotion-service';
import { createRefundService } from './refund-service';
import { createShippingOptionsService } from './shipping-options-service';
import { createRetailerWebhookService } from './retailer-webhook-service';
import type { ServiceDeps } from './service-deps';

export interface ServiceWiring {
  /** The automated adapters (api, headless, platform connectors); manual placement is built in. */
  adapters: readonly PlacementAdapter[];
  /** Puts placement runs on the queue. Called only after the orders are committed. */
  enqueue: (runs: PlacementRun[]) => Promise<void>;
  /** Verifies Stripe's webhooks; without it /webhooks/stripe refuses every call. */
  stripeWebhookSecret?: string;
}

/** Every use case, wired once. Shared by the API process and the placement workers. */
export function createServices(deps: ServiceDeps, wiring: ServiceWiring) {
  const tasks = createOpsTaskService(deps);
  const registry = createPlacementRegistry([...wiring.adapters, createManualPlacementAdapter(tasks.port)]);
  const refunds = createRefundService(deps);
  const captures = createCaptureService(deps);
  const cart = createCartService(deps);
  const promotions = createPromotionService(deps, cart);
  const placement = createPlacementService(deps, { registry, refunds, tasks, captures, enqueue: wiring.enqueue });
  return {
    registry,
    catalog: createCatalogService(deps, registry.validateConfig),
    cart,
    promotions,
    shippingOptions: createShippingOptionsService(deps),
    checkout: createCheckoutService(deps, promotions),
    placeCheckout: createPlaceCheckoutService(deps, wiring.enqueue, promotions),
    orders: createOrdersService(deps),
    // A key's lock outlives the place lease, so a retry never races the holder it would take over from.
    idempotency: createIdempotencyService(deps, deps.settings.placeLeaseMs * 2),
    refunds,
    captures,
    tasks,
    placement,
    ops: createOpsService(deps, placement, wiring.enqueue),
    orderAdmin: createOrderAdminService(deps, refunds, placement),
    retailerWebhooks: createRetailerWebhookService(deps, refunds, placement),
    paymentWebhooks: createPaymentWebhookService(deps, refunds, wiring.stripeWebhookSecret),
  };
}

export type Services = ReturnType<typeof createServices>;
