import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ORDER_STATUSES } from '../domain/order-status';
import { AddCartItemInput, Cart, UpdateCartItemInput } from './schemas/cart';
import {
  AdminStore,
  CreateStoreInput,
  Product,
  Store,
  StoreCheckResult,
  UpdateStoreInput,
  UpsertProductInput,
} from './schemas/catalog';
import { CheckoutSession, PaymentInput, PlaceResult, SessionIdParam, ShippingAddressInput } from './schemas/checkout';
import { envelope, ErrorResponse, pageEnvelope, pagination } from './schemas/common';
import { CancelOrderInput, Refund, RefundInput } from './schemas/admin';
import { RetailerEventInput, RetailerEventReceipt, StripeEventReceipt } from './schemas/webhooks';
import { Me } from './schemas/me';
import { CatalogProduct, ProductListQuery, StoreProductListQuery } from './schemas/products';
import { describeOpsApi } from './openapi-ops';
import { describeStoreHealthApi } from './openapi-store-health';
import { OrderDetail, OrderListItem, OrderNumberParam, OrdersPage, OrderStats, TrackingInput } from './schemas/orders';
import { describeEventsOut } from './openapi-events';
import { describePromotionsApi, PROMO_CODE_ERRORS } from './openapi-promotions';
import type { AddOperation, Operation } from './openapi-operation';

/**
 * The OpenAPI document, generated from the same zod schemas that validate requests, so the two cannot
 * drift. Served at /api/docs (UI) and /api/docs.json.
 */

const ItemIdParam = z.object({ itemId: z.uuid() });
const SlugParam = z.object({ slug: z.string() });

/** Every answer an operation documents, by status. A malformed JSON body is a 400 on any route. */
function responsesOf(op: Operation): Record<number, { description: string; schema: z.ZodType }> {
  const successes = typeof op.status === 'object' ? op.status : { [op.status ?? 200]: 'Success' };
  const data = op.pageTotal ? pageEnvelope(op.response, op.pageTotal) : envelope(op.response);
  const bearer = op.auth === undefined || op.auth === 'bearer';
  const errors = { 400: 'validation_failed', ...(bearer ? { 401: 'unauthorized' } : {}), ...op.errors };
  return {
    ...Object.fromEntries(
      Object.entries(successes).map(([status, description]) => [status, { description, schema: data }]),
    ),
    ...Object.fromEntries(
      Object.entries(errors).map(([status, codes]) => [status, { description: codes, schema: ErrorResponse }]),
    ),
  };
}

/** A rate limit (per shopper on payments, per address without a token): wait the Retry-After seconds. */
const RATE_LIMITED = 'rate_limited (Retry-After header; details.retryAfterSeconds)';

/** The API, operation by operation. Paths are relative to /api/v1. */
function describeApi(add: AddOperation): void {
  add('get', '/me', { summary: 'Who the bearer token says the caller is (any role)', tags: ['Session'], response: Me });

  const shopper = ['Cart'];
  add('get', '/stores', {
    summary: 'List stores',
    tags: ['Catalog'],
    auth: 'none',
    response: z.array(Store),
    errors: { 429: RATE_LIMITED },
  });
  add('get', '/products', {
    summary: 'Browse and search every store’s products (best match first with q)',
    tags: ['Catalog'],
    auth: 'none',
    query: ProductListQuery,
    response: CatalogProduct,
    pageTotal: 'totalProducts',
    errors: { 404: 'store_not_found', 429: RATE_LIMITED },
  });
  add('get', '/stores/{slug}/products', {
    summary: 'Browse and search one store’s products',
    tags: ['Catalog'],
    auth: 'none',
    params: SlugParam,
    query: StoreProductListQuery,
    response: CatalogProduct,
    pageTotal: 'totalProducts',
    errors: { 404: 'store_not_found', 429: RATE_LIMITED },
  });
  add('post', '/admin/stores', {
    summary: 'Create a store',
    tags: ['Admin'],
    body: CreateStoreInput,
    response: AdminStore,
    status: 201,
    errors: { 403: 'forbidden', 409: 'store_exists' },
  });
  add('put', '/admin/stores/{slug}', {
    summary: 'Update a store',
    tags: ['Admin'],
    params: SlugParam,
    body: UpdateStoreInput,
    response: AdminStore,
    errors: { 403: 'forbidden', 404: 'store_not_found' },
  });
  add('post', '/admin/stores/{slug}/check', {
    summary:
      'Check a store’s placement config against its retailer without buying (api: reach, sign in, price one product; headless: Chromium, sign in, open the recipe’s first page)',
    tags: ['Admin'],
    params: SlugParam,
    response: StoreCheckResult,
    errors: { 403: 'forbidden', 404: 'store_not_found' },
  });
  add('put', '/admin/products', {
    summary: 'Create or update a product by (store, sku)',
    tags: ['Admin'],
    body: UpsertProductInput,
    response: Product,
    status: { 201: 'Created: the store had no product with this sku', 200: 'Updated' },
    errors: { 403: 'forbidden', 404: 'store_not_found' },
  });

  add('get', '/cart', { summary: 'The shopper’s cart', tags: shopper, response: Cart });
  add('post', '/cart/items', {
    summary: 'Add an item',
    tags: shopper,
    body: AddCartItemInput,
    response: Cart,
    status: 201,
    errors: {
      404: 'product_not_found',
      409: 'product_unavailable',
      422: 'cart_limit_exceeded (details.limit: lines | subtotal)',
    },
  });
  add('patch', '/cart/items/{itemId}', {
    summary: 'Change a quantity',
    tags: shopper,
    params: ItemIdParam,
    body: UpdateCartItemInput,
    response: Cart,
    errors: { 404: 'not_found', 422: 'cart_limit_exceeded (details.limit: subtotal)' },
  });
  add('delete', '/cart/items/{itemId}', {
    summary: 'Remove an item',
    tags: shopper,
    params: ItemIdParam,
    response: Cart,
    errors: { 404: 'not_found' },
  });
  add('delete', '/cart', { summary: 'Empty the cart', tags: shopper, response: Cart });

  const checkout = ['Checkout'];
  const sessionEditErrors = {
    404: 'not_found',
    409: 'session_already_placed | session_not_editable (cancelled) | request_in_progress (being placed) | payment_already_completed (3-D Secure was completed: place it)',
    410: 'session_expired',
  };
  add('post', '/checkout/sessions', {
    summary: 'Freeze the cart into a checkout session (30 minutes)',
    tags: checkout,
    response: CheckoutSession,
    status: 201,
    errors: {
      409: 'product_unavailable',
      422: `cart_empty | mixed_currencies | amount_too_large | amount_too_small (the total is outside what one payment may be) | the cart's promo code can no longer be used: ${PROMO_CODE_ERRORS}`,
    },
  });
  add('get', '/checkout/sessions/{sessionId}', {
    summary: 'A checkout session, with its orders once placed',
    tags: checkout,
    params: SessionIdParam,
    response: CheckoutSession,
    errors: { 404: 'not_found' },
  });
  add('put', '/checkout/sessions/{sessionId}/shipping', {
    summary: 'Set the shipping address (fills tax and totals)',
    tags: checkout,
    params: SessionIdParam,
    body: ShippingAddressInput,
    response: CheckoutSession,
    errors: { ...sessionEditErrors, 422: 'amount_too_large (tax takes the total above the largest payment)' },
  });
  add('put', '/checkout/sessions/{sessionId}/payment', {
    summary: 'Set the Stripe payment method',
    tags: checkout,
    params: SessionIdParam,
    body: PaymentInput,
    response: CheckoutSession,
    errors: { ...sessionEditErrors, 429: RATE_LIMITED },
  });
  add('post', '/checkout/sessions/{sessionId}/place', {
    summary: 'Pay once for the whole snapshot and split into one order per store',
    tags: checkout,
    params: SessionIdParam,
    idempotent: true,
    response: PlaceResult,
    status: 201,
    errors: {
      402: 'payment_declined (details.declineCode) | payment_requires_action (details.clientSecret)',
      404: 'not_found',
      409: 'session_already_placed | session_not_editable (cancelled) | request_in_progress (same key still running, or being placed)',
      410: 'session_expired',
      422: 'session_incomplete | idempotency_key_reused | promo_code_exhausted | promo_code_limit_reached (the code’s last use went to another checkout: nothing was charged) | payment_refused (the payment provider refused the amount or currency: details.reason; the session stays payable and cancellable)',
      429: RATE_LIMITED,
      503: 'service_unavailable (retry with the same key)',
    },
  });
  describePromotionsApi(add, sessionEditErrors);
  add('delete', '/checkout/sessions/{sessionId}', {
    summary: 'Cancel an unplaced session',
    tags: checkout,
    params: SessionIdParam,
    response: CheckoutSession,
    errors: {
      404: 'not_found',
      409: 'session_already_placed | request_in_progress (being placed) | payment_already_completed (3-D Secure was completed: place it)',
    },
  });

  const orders = ['Orders'];
  add('get', '/orders', {
    summary: 'Orders grouped by checkout (ops/admin see all)',
    tags: orders,
    query: pagination.extend({ status: z.enum(ORDER_STATUSES).optional() }),
    response: OrdersPage,
  });
  add('get', '/orders/stats', {
    summary: 'Order counts and money spent (ops/admin: everyone’s)',
    tags: orders,
    response: OrderStats,
  });
  add('get', '/orders/{orderNumber}', {
    summary: 'One order with items, status history and refunds',
    tags: orders,
    params: OrderNumberParam,
    response: OrderDetail,
    errors: { 404: 'not_found' },
  });
  add('put', '/orders/{orderNumber}/tracking', {
    summary: 'Record tracking (ops): the order is shipped',
    tags: orders,
    params: OrderNumberParam,
    body: TrackingInput,
    response: OrderDetail,
    errors: { 403: 'forbidden', 404: 'not_found', 409: 'invalid_transition' },
  });

  describeOpsApi(add);

  add('post', '/admin/orders/{orderNumber}/refunds', {
    summary:
      'Refund an order: all of it, some items (what was paid for them: price less their discount share, plus tax) or an amount',
    tags: ['Admin'],
    params: OrderNumberParam,
    body: RefundInput,
    idempotent: true,
    response: Refund,
    status: 201,
    errors: {
      403: 'forbidden',
      404: 'not_found',
      409: 'invalid_transition | request_in_progress | payment_not_captured (capture policy after_placement: not captured yet, or left out)',
      422: 'refund_exceeds_captured | idempotency_key_reused',
      503: 'service_unavailable (retry with the same key)',
    },
  });
  add('post', '/admin/orders/{orderNumber}/cancel', {
    summary: 'Cancel and refund an order (ops are asked to cancel it at the retailer)',
    tags: ['Admin'],
    params: OrderNumberParam,
    body: CancelOrderInput,
    response: OrderListItem,
    errors: {
      403: 'forbidden',
      404: 'not_found',
      409: 'invalid_transition',
      503: 'service_unavailable (the refund could not reach the payment provider)',
    },
  });
  describeEventsOut(add);
  add('post', '/webhooks/retailers/{storeSlug}', {
    summary: 'Retailer order events, signed: X-Retailer-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">',
    tags: ['Webhooks'],
    auth: 'signature',
    params: z.object({ storeSlug: z.string() }),
    body: RetailerEventInput,
    response: RetailerEventReceipt,
    errors: {
      401: 'invalid_signature',
      404: 'not_found (unknown storeOrderNumber; retry later)',
      409: 'invalid_transition (the order moved meanwhile) | request_in_progress (this event is being applied): retry later',
      429: RATE_LIMITED,
      503: 'service_unavailable (a cancellation’s refund could not reach the payment provider; retry later)',
    },
  });
  add('post', '/webhooks/stripe', {
    summary:
      'Stripe events, verified with STRIPE_WEBHOOK_SECRET: refunds (ours settled, Dashboard ones recorded on the orders) and disputes',
    tags: ['Webhooks'],
    auth: 'signature',
    response: StripeEventReceipt,
    errors: {
      401: 'invalid_signature',
      409: 'request_in_progress (this event is being applied; retry later)',
      429: RATE_LIMITED,
    },
  });
  describeStoreHealthApi(add);
}

export function buildOpenApiDocument(extra: (add: AddOperation) => void = () => {}) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });

  const add: AddOperation = (method, path, op) => {
    registry.registerPath({
      method,
      path: `/api/v1${path}`,
      summary: op.summary,
      tags: op.tags,
      security: op.auth === 'none' || op.auth === 'signature' ? [] : [{ bearer: [] }],
      request: {
        params: op.params,
        query: op.query,
        headers: op.idempotent ? z.object({ 'Idempotency-Key': z.string().min(1).max(255) }) : undefined,
        body: op.body ? { content: { 'application/json': { schema: op.body } } } : undefined,
      },
      responses: Object.fromEntries(
        Object.entries(responsesOf(op)).map(([status, { description, schema }]) => [
          status,
          { description, content: { 'application/json': { schema } } },
        ]),
      ),
    });
  };

  describeApi(add);
  extra(add);
  describeOperations(registry);

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Multi-retailer checkout',
      version: '1.0.0',
      description:
        'One cart, many retailers, one payment. Money is integer cents. See CONTRACT.md for the conventions.',
    },
    servers: [{ url: '/' }],
  });
}

const Readiness = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.record(z.string(), z.string().meta({ description: '"ok" or what failed' })),
  })
  .meta({ id: 'Readiness' });

/** Liveness, readiness and metrics: outside /api/v1, without the envelope, for load balancers and Prometheus. */
function describeOperations(registry: OpenAPIRegistry): void {
  const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
  registry.registerPath({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness: the process answers',
    tags: ['Operations'],
    responses: { 200: { description: 'Alive', ...json(z.object({ status: z.literal('ok') })) } },
  });
  registry.registerPath({
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: the database and Redis answer within 2 s',
    tags: ['Operations'],
    responses: {
      200: { description: 'Ready', ...json(Readiness) },
      503: { description: 'Not ready: which check failed', ...json(Readiness) },
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics (request latency by route and status, queue and placement counters, process)',
    tags: ['Operations'],
    responses: {
      200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: z.string() } } },
    },
  });
}

/**
 * The zod schema behind each answer the document promises, keyed `METHOD path status` as the document spells
 * them (`GET /api/v1/orders/{orderNumber} 200`): for holding real answers to the document.
 */
export function documentedResponseSchemas(): Map<string, z.ZodType> {
  const schemas = new Map<string, z.ZodType>();
  describeApi((method, path, op) => {
    for (const [status, { schema }] of Object.entries(responsesOf(op)))
      schemas.set(`${method.toUpperCase()} /api/v1${path} ${status}`, schema);
  });
  return schemas;
}

export type OpenApiExtender = Parameters<typeof buildOpenApiDocument>[0];
