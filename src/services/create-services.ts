import { createManualPlacementAdapter } from '../placement/manual-adapter';
import type { PlacementAdapter } from '../placement/placement-adapter';
import { createPlacementRegistry } from '../placement/placement-registry';
import { createCaptureService } from './capture-service';
import { createCheckoutSettlement } from './checkout-settlement';
import { afterMoveHooks, carryOutOwedRefunds, settleCheckout } from './order-moves';
import { createCartService } from './cart-service';
import { createCatalogService } from './catalog-service';
import { createCheckoutService } from './checkout-service';
import { createIdempotencyService } from './idempotency-service';
import { createOpsService } from './ops-service';
import { createOpsTaskService } from './ops-task-service';
import { createOrdersService } from './orders-service';
import { createPlaceCheckoutService } from './place-checkout-service';
import { createProductBrowseService } from './product-browse-service';
import { createCatalogSyncService, type CatalogSyncSettings } from './catalog-sync-service';
import type { CatalogReader } from '../catalog/catalog-reader';
import { createRetailerApiCatalogReader } from '../catalog/retailer-api-catalog-reader';
import { createVendureCatalogReader } from '../catalog/vendure-catalog-reader';
import { createPlacementService } from './placement-service';
import { createOrderAdminService } from './order-admin-service';
import { createPaymentWebhookService } from './payment-webhook-service';
import { createPromotionService } from './promotion-service';
import { createRefundService } from './refund-service';
import { createOutsideRefundService } from './outside-refund-service';
import { createDisputeService } from './dispute-service';
import { createReconciliationService } from './reconciliation-service';
import { createShippingOptionsService } from './shipping-options-service';
import { createShippingQuotes } from './shipping-quotes';
import { createRetailerWebhookService } from './retailer-webhook-service';
import { buildServiceDeps, type ServiceDeps } from './service-deps';
import { createStoreHealthService } from './store-health-service';
import { createStoreLeversService } from './store-levers-service';
import type { EnqueuePlacements, PlacementQueueControl } from '../queue/placement-queue';
import { createStatusSyncService } from './status-sync-service';
import { createStoreCheckService } from './store-checks/store-check-service';
import { createEmailDeliveryService } from './email-delivery-service';
import { createEventDispatchService } from './event-dispatch-service';
import { DEFAULT_EVENT_SETTINGS, type EventSettings, type EventWiring } from './event-wiring';
import { createWebhookDeliveryService } from './webhook-delivery-service';
import { createWebhookEndpointsService } from './webhook-endpoints-service';

export interface ServiceWiring {
  /** The automated adapters (api, headless, platform connectors); manual placement is built in. */
  adapters: readonly PlacementAdapter[];
  /** Puts placement jobs on the queue. Called only after the orders are committed. */
  enqueue: EnqueuePlacements;
  /** Verifies Stripe's webhooks; without it /webhooks/stripe refuses every call. */
  stripeWebhookSecret?: string;
  /** What can read a connected retailer's catalog; the Vendure and retailer order API readers when not given. */
  catalogReaders?: readonly CatalogReader[];
  catalogSync?: Partial<CatalogSyncSettings>;
  /** The queue's breakers and the release of a resumed store's jobs; without it both are skipped. */
  queueControl?: PlacementQueueControl;
  /** How long a process trusts its last reading of a store's pause (see StoreLeversOptions). */
  pauseCacheMs?: number;
  /** Outbound events: the events queue and SMTP. Without it events are still written and fanned out, not sent. */
  events?: Partial<Omit<EventWiring, 'settings'>> & { settings?: Partial<EventSettings> };
}

/** What the services are built from: the infrastructure (defaults filled in by `buildServiceDeps`) and the ports. */
export type ServiceInputs = Parameters<typeof buildServiceDeps>[0] & {
  /** The outside ports: placement adapters and queue, Stripe webhooks, catalog readers, events. */
  placement: ServiceWiring;
};

/**
 * Every use case, wired once: the one composition of the domain, used by the API process and the placement workers
 * alike (through src/bootstrap/compose.ts) and by the tests.
 */
export function createServices(inputs: ServiceInputs) {
  const base = buildServiceDeps(inputs);
  const wiring = inputs.placement;
  // What follows an order's move is declared here, once: the hooks' own services see no hooks.
  const refunds = createRefundService(base);
  const captures = createCaptureService(base);
  const settlement = createCheckoutSettlement(base, captures);
  const deps: ServiceDeps = {
    ...base,
    afterMove: afterMoveHooks(carryOutOwedRefunds(refunds), settleCheckout(settlement, base.crashpoint)),
  };
  const tasks = createOpsTaskService(deps);
  const registry = createPlacementRegistry([...wiring.adapters, createManualPlacementAdapter(tasks.port)]);
  const cart = createCartService(deps);
  const promotions = createPromotionService(deps, cart);
  const placement = createPlacementService(deps, { registry, refunds, tasks, enqueue: wiring.enqueue });
  const outsideRefunds = createOutsideRefundService(deps, refunds);
  const disputes = createDisputeService(deps, refunds);
  const retailerWebhooks = createRetailerWebhookService(deps, refunds);
  const events: EventWiring = {
    enqueue: wiring.events?.enqueue ?? (async () => {}),
    mailer: wiring.events?.mailer ?? null,
    settings: { ...DEFAULT_EVENT_SETTINGS, ...wiring.events?.settings },
  };
  return {
    /** What they were built from (the HTTP app logs and checks the database through it). */
    deps,
    registry,
    catalog: createCatalogService(deps, registry.validateConfig),
    storeChecks: createStoreCheckService(deps, registry),
    products: createProductBrowseService(deps),
    catalogSync: createCatalogSyncService(
      deps,
      wiring.catalogReaders ?? [createVendureCatalogReader(), createRetailerApiCatalogReader()],
      wiring.catalogSync,
    ),
    cart,
    promotions,
    shippingOptions: createShippingOptionsService(deps),
    checkout: createCheckoutService(deps, promotions, createShippingQuotes(deps, registry)),
    placeCheckout: createPlaceCheckoutService(deps, wiring.enqueue, promotions),
    orders: createOrdersService(deps),
    // A key's lock outlives the place lease, so a retry never races the holder it would take over from.
    idempotency: createIdempotencyService(deps, deps.settings.placeLeaseMs * 2),
    refunds,
    captures,
    settlement,
    tasks,
    placement,
    ops: createOpsService(deps, placement, wiring.enqueue),
    orderAdmin: createOrderAdminService(deps, refunds),
    retailerWebhooks,
    statusSync: createStatusSyncService(deps, { registry, retailerWebhooks }),
    outsideRefunds,
    disputes,
    reconciliation: createReconciliationService(deps),
    paymentWebhooks: createPaymentWebhookService(deps, outsideRefunds, disputes, wiring.stripeWebhookSecret),
    storeLevers: createStoreLeversService(deps, wiring.queueControl, { pauseCacheMs: wiring.pauseCacheMs }),
    storeHealth: createStoreHealthService(deps, wiring.queueControl),
    eventDispatch: createEventDispatchService(deps, events),
    webhookDelivery: createWebhookDeliveryService(deps, events),
    emailDelivery: createEmailDeliveryService(deps, events),
    webhookEndpoints: createWebhookEndpointsService(deps, events),
  };
}

export type Services = ReturnType<typeof createServices>;
