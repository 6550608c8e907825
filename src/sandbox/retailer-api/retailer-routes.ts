import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProtocolRoute } from './fault-queue';
import { readJsonBody, sendJson, sleep } from './http-io';
import type { QuoteOutcome, OrderOutcome, SimulatedRetailer } from './retailer';
import { createOrderBodySchema, parseOrThrow, productPageQuerySchema, quoteBodySchema } from './schemas';
import { SimulatorError, type FaultSpec, type ShippingMethod, type SimulatedOrder } from './types';

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * Serves the retailer order API (docs: CONTRACT.md "The retailer order API") for one retailer. `path` is what
 * follows `/retailers/:slug`. Faults are taken as the request arrives, then the retailer's latency is waited out.
 */
export async function handleRetailerRequest(
  retailer: SimulatedRetailer,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
): Promise<void> {
  retailer.stats.requests += 1;
  const route = matchRoute(req.method ?? 'GET', path);
  if (!route) return sendJson(res, 404, { code: 'not_found', message: `no route ${req.method} ${path}` });
  countRoute(retailer, route);

  const fault = retailer.faults.take(route);
  if (fault) retailer.stats.faultsServed += 1;
  // The body is taken in before the processing time, as a real server would: a client that goes away while the
  // retailer works (a killed worker) does not stop the order it sent from being created.
  const body = readJsonBody(req);
  body.catch(() => undefined);
  if (retailer.latencyMs > 0) await sleep(retailer.latencyMs);
  if (fault && serveFaultInsteadOfAnswer(fault, req, res)) return;

  const result = await answer(retailer, route, req, query, body);
  if (fault?.kind === 'create_then_500')
    return sendJson(res, 500, { code: 'internal_error', message: 'injected fault' });
  sendJson(res, result.status, result.body, result.headers);
}

function matchRoute(method: string, path: string): ProtocolRoute | undefined {
  if (path === '/orders' && method === 'POST') return 'create_order';
  if (path === '/orders' && method === 'GET') return 'lookup_orders';
  if (path === '/quotes' && method === 'POST') return 'quote';
  if (path === '/products' && method === 'GET') return 'list_products';
  return undefined;
}

function countRoute(retailer: SimulatedRetailer, route: ProtocolRoute): void {
  if (route === 'create_order') retailer.stats.orderRequests += 1;
  else if (route === 'lookup_orders') retailer.stats.lookups += 1;
  else if (route === 'list_products') retailer.stats.productPages += 1;
  else retailer.stats.quotes += 1;
}

async function answer(
  retailer: SimulatedRetailer,
  route: ProtocolRoute,
  req: IncomingMessage,
  query: URLSearchParams,
  body: Promise<unknown>,
): Promise<Answer> {
  if (!retailer.isAuthorized(req.headers.authorization)) {
    retailer.stats.unauthorized += 1;
    return { status: 401, body: { code: 'unauthorized', message: 'missing or wrong API key' } };
  }
  try {
    if (route === 'create_order') return await answerCreateOrder(retailer, req, await body);
    if (route === 'quote') {
      return answerQuote(retailer.quote(parseOrThrow(quoteBodySchema, await body, 'quote')), retailer.shippingMethods);
    }
    if (route === 'list_products') return answerProductPage(retailer, query);
    return answerLookup(retailer, query);
  } catch (error) {
    if (!(error instanceof SimulatorError)) throw error;
    return { status: 400, body: { code: error.code, message: error.message, fields: error.fields } };
  }
}

async function answerCreateOrder(retailer: SimulatedRetailer, req: IncomingMessage, rawBody: unknown): Promise<Answer> {
  const idempotencyKey = req.headers['idempotency-key'];
  const badKey = idempotencyKey !== undefined && (idempotencyKey.length < 1 || idempotencyKey.length > 255);
  if (Array.isArray(idempotencyKey) || badKey) {
    throw new SimulatorError('invalid_request', 'Idempotency-Key must be one header of 1–255 characters');
  }
  const body = parseOrThrow(createOrderBodySchema, rawBody, 'order');
  const outcome: OrderOutcome = retailer.createOrder(body, idempotencyKey);
  if (outcome.kind === 'rejected') return { status: 422, body: { code: outcome.code, message: outcome.message } };
  return { status: outcome.kind === 'created' ? 201 : 200, body: publicOrder(outcome.order) };
}

/**
 * A quote, with the shipping methods the retailer offers when it has its own (a caller may choose among them):
 * each with its price in cents and, when the retailer gives one, its delivery estimate in days.
 */
function answerQuote(outcome: QuoteOutcome, shippingMethods: readonly ShippingMethod[]): Answer {
  if (outcome.kind === 'rejected') return { status: 422, body: { code: outcome.code, message: outcome.message } };
  const { totalCents, taxCents, shippingCents, subtotalCents } = outcome.price;
  const methods = shippingMethods.map(({ id, name, priceCents, minDays, maxDays }) => ({
    id,
    name,
    priceCents,
    ...(minDays !== undefined && maxDays !== undefined ? { minDays, maxDays } : {}),
  }));
  return {
    status: 200,
    body: {
      totalCents,
      taxCents,
      shippingCents,
      subtotalCents,
      ...(methods.length > 0 ? { shippingMethods: methods } : {}),
    },
  };
}

function answerLookup(retailer: SimulatedRetailer, query: URLSearchParams): Answer {
  const externalReference = query.get('externalReference');
  if (!externalReference) throw new SimulatorError('invalid_request', 'externalReference is required');
  return { status: 200, body: { orders: retailer.findOrders(externalReference).map(publicOrder) } };
}

function answerProductPage(retailer: SimulatedRetailer, query: URLSearchParams): Answer {
  const { limit, cursor } = parseOrThrow(productPageQuerySchema, Object.fromEntries(query), 'product page');
  return { status: 200, body: retailer.listProducts(limit, cursor) };
}

function publicOrder(order: SimulatedOrder) {
  const { orderNumber, status, totalCents, externalReference } = order;
  return { orderNumber, status, totalCents, externalReference };
}

/** Serves a fault that replaces the answer; false for `create_then_500`, which needs the request processed first. */
function serveFaultInsteadOfAnswer(fault: FaultSpec, req: IncomingMessage, res: ServerResponse): boolean {
  switch (fault.kind) {
    case 'create_then_500':
      return false;
    case 'status_500':
      sendJson(res, 500, { code: 'internal_error', message: 'injected fault' });
      return true;
    case 'status_503':
      sendJson(res, 503, { code: 'unavailable', message: 'injected fault' });
      return true;
    case 'status_429':
      sendJson(
        res,
        429,
        { code: 'rate_limited', message: 'injected fault' },
        {
          'retry-after': String(fault.retryAfterSeconds ?? 1),
        },
      );
      return true;
    case 'reject':
      sendJson(res, 422, { code: fault.code, message: fault.message ?? 'injected rejection' });
      return true;
    case 'reset':
      req.socket.destroy();
      return true;
    case 'timeout':
      // Never answered: the client's own timeout ends it, or the simulator's close() destroys the socket.
      return true;
  }
}
