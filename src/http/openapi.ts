import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { envelope, ErrorResponse, pageEnvelope } from './schemas/common';
import { Me } from './schemas/me';
import { describeCartApi } from './openapi-cart';
import { describeCatalogApi } from './openapi-catalog';
import { describeCheckoutApi } from './openapi-checkout';
import { describeEventsOut } from './openapi-events';
import { describeOpsApi } from './openapi-ops';
import { describeOrdersApi } from './openapi-orders';
import { describeRefundsApi } from './openapi-refunds';
import { describeStoreHealthApi } from './openapi-store-health';
import { describeWebhooksIn } from './openapi-webhooks';
import type { AddOperation, Operation } from './openapi-operation';

/**
 * The OpenAPI document, generated from the same zod schemas that validate requests, so the two cannot
 * drift. Served at /api/docs (UI) and /api/docs.json.
 */

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

/** The API, area by area (openapi-<area>.ts). Paths are relative to /api/v1. */
function describeApi(add: AddOperation): void {
  add('get', '/me', { summary: 'Who the bearer token says the caller is (any role)', tags: ['Session'], response: Me });
  describeCatalogApi(add);
  describeCartApi(add);
  describeCheckoutApi(add);
  describeOrdersApi(add);
  describeOpsApi(add);
  describeRefundsApi(add);
  describeEventsOut(add);
  describeWebhooksIn(add);
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
