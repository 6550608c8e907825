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
import { createRefundService } from './refund-service';
import { createRetailerWebhookService } from './retailer-webhook-service';
import type { ServiceDeps } from './service-deps';
import { createEmailDeliveryService } from './email-delivery-service';
import { createEventDispatchService } from './event-dispatch-service';
import { DEFAULT_EVENT_SETTINGS, type EventSettings, type EventWiring } from './event-wiring';
import { createWebhookDeliveryService } from './webhook-delivery-service';
import { createWebhookEndpointsService } from './webhook-endpoints-service';

export interface ServiceWiring {
  /** The automated adapters (api, headless, platform connectors); manual placement is built in. */
  adapters: readonly PlacementAdapter[];
  /** Puts placement runs on the queue. Called only after the orders are committed. */
  enqueue: (runs: PlacementRun[]) => Promise<void>;
  /** Verifies Stripe's webhooks; without it /webhooks/stripe refuses every call. */
  stripeWebhookSecret?: string;
  /** Outbound events: the events queue and SMTP. Without it events are still written and fanned out, not sent. */
  events?: Partial<Omit<EventWiring, 'settings'>> & { settings?: Partial<EventSettings> };
}

/** Every use case, wired once. Shared by the API process and the placement workers. */
export function createServices(deps: ServiceDeps, wiring: ServiceWiring) {
  const tasks = createOpsTaskService(deps);
  const registry = createPlacementRegistry([...wiring.adapters, createManualPlacementAdapter(tasks.port)]);
  const refunds = createRefundService(deps);
  const captures = createCaptureService(deps);
  const placement = createPlacementService(deps, { registry, refunds, tasks, captures, enqueue: wiring.enqueue });
  const events: EventWiring = {
    enqueue: wiring.events?.enqueue ?? (async () => {}),
    mailer: wiring.events?.mailer ?? null,
    settings: { ...DEFAULT_EVENT_SETTINGS, ...wiring.events?.settings },
  };
  return {
    registry,
    catalog: createCatalogService(deps, registry.validateConfig),
    cart: createCartService(deps),
    checkout: createCheckoutService(deps),
    placeCheckout: createPlaceCheckoutService(deps, wiring.enqueue),
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
    eventDispatch: createEventDispatchService(deps, events),
    webhookDelivery: createWebhookDeliveryService(deps, events),
    emailDelivery: createEmailDeliveryService(deps, events),
    webhookEndpoints: createWebhookEndpointsService(deps, events),
  };
}

export type Services = ReturnType<typeof createServices>;
