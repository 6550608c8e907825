import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock } from '../../domain/clock';
import { HttpTransportError, type HttpReply, type HttpTransport } from '../http-transport';
import {
  PermanentPlacementError,
  PriceMismatchError,
  TransientPlacementError,
  type PermanentPlacementCode,
  type PlacementOrder,
  type PlacementResult,
  type StoreCheck,
} from '../placement-adapter';
import { DEFAULT_PLATFORM, problemsOf, type PlatformConnector } from './platform-connector';
import { retailerOrderKey } from '../../domain/idempotency-keys';

const configSchema = z.object({
  platform: z.literal(DEFAULT_PLATFORM).optional(),
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  apiKey: z.string({ error: 'is required' }).regex(/\S/, 'must not be empty'),
  timeoutMs: z
    .int({ error: 'must be an integer' })
    .min(100, 'must be at least 100')
    .max(120_000, 'must be at most 120000')
    .default(10_000),
});
export type ApiPlacementConfig = z.output<typeof configSchema>;

const retailerOrderSchema = z.object({ orderNumber: z.string().min(1), status: z.string(), totalCents: z.int().min(0) });
const lookupReplySchema = z.object({ orders: z.array(retailerOrderSchema) });
const quoteReplySchema = z.object({ totalCents: z.int().min(0), taxCents: z.int().min(0), shippingCents: z.int().min(0) });
const errorReplySchema = z.object({ code: z.string().optional(), message: z.string().optional() });

type RetailerOrder = z.infer<typeof retailerOrderSchema>;
type Quote = z.infer<typeof quoteReplySchema>;
type Step = 'lookup_orders' | 'quote' | 'create_order';

const RETAILER_REJECTION_CODES: ReadonlySet<string> = new Set<PermanentPlacementCode>([
  'out_of_stock',
  'address_rejected',
  'price_changed',
]);
/** Rate limits, 408 and 409 (a concurrent request with the same Idempotency-Key) say "not now", not "no". */
const TRANSIENT_CLIENT_STATUSES: ReadonlySet<number> = new Set([408, 409, 429]);

/** Where a check asks for a quote: any served address does; the retailer only prices it. */
const CHECK_ADDRESS = { name: 'Store Check', address1: '1 Market St', city: 'San Francisco', state: 'CA', zip: '94105', country: 'US', phone: '+14155550100' };

/**
 * The default connector: the retailer order API in CONTRACT.md ("The retailer order API").
 *
 * The order number is both the `Idempotency-Key` and the `externalReference`, so a retry can never buy twice:
 * the retailer replays the first order for the same key, and a retry whose first try may have reached the retailer
 * (attempt > 1) looks the order up before sending anything. A quote guards the price before the order is sent.
 * The retailer posts status changes to our webhook.
 */
export function createMorRetailerApiConnector({ transport, clock }: { transport: HttpTransport; clock: Clock }): PlatformConnector {
  const placed = (retailerOrder: RetailerOrder, details: Record<string, unknown>): PlacementResult => ({
    kind: 'placed',
    storeOrderNumber: retailerOrder.orderNumber,
    placedAt: clock.now(),
    retailerTotalCents: retailerOrder.totalCents,
    details: { retailerStatus: retailerOrder.status, ...details },
  });

  return {
    platform: DEFAULT_PLATFORM,
    statusUpdates: 'webhooks',

    validateConfig: (config) => configProblems(config),

    async place(order, context) {
      const call = createRetailerCaller(parseConfig(context.config), transport, clock, context.signal);
      const logger = context.logger.child({ adapter: 'api', orderNumber: order.orderNumber, storeSlug: order.storeSlug });

      if (context.attempt > 1) {
        const earlier = await findEarlierOrder(call, order.orderNumber, logger);
        if (earlier) return placed(earlier, { recoveredByLookup: true });
      }

      const items = order.items.map(({ sku, quantity, size, color, unitPriceCents }) => ({
        sku,
        quantity,
        size,
        color,
        unitPriceCents,
      }));
      const quoteReply = await call('quote', 'POST', '/quotes', { items, shippingAddress: order.shippingAddress, ...shippingMethodOf(order) });
      const quote = quoteDetails(parseReply(quoteReplySchema, quoteReply));
      if (quote.totalCents > order.totalCents + context.priceToleranceCents) {
        logger.warn({ quote, snapshotTotalCents: order.totalCents }, 'retailer quote above tolerance; nothing submitted');
        throw new PriceMismatchError(quote.totalCents, order.totalCents, { quote });
      }

      let created: RetailerOrder;
      let replayed: boolean;
      try {
        const reply = await call('create_order', 'POST', '/orders', createOrderBody(order, items, quote), retailerOrderKey(order.orderNumber));
        created = parseReply(retailerOrderSchema, reply);
        replayed = reply.status === 200;
      } catch (error) {
        // The outcome of the attempt, not the answer, is what counts (for the store's breaker, and so that no retry
        // is spent): a 5xx, a timeout or an unreadable 2xx may hide an order the retailer did take. Ask once.
        const accepted = isAmbiguous(error) ? await findEarlierOrder(call, order.orderNumber, logger).catch(() => undefined) : undefined;
        if (!accepted) throw error;
        logger.warn({ err: error, storeOrderNumber: accepted.orderNumber }, 'the retailer took the order despite its answer');
        return placed(accepted, { recoveredByLookup: true, answer: (error as Error).message });
      }
      logger.info({ storeOrderNumber: created.orderNumber, retailerTotalCents: created.totalCents }, 'placed with retailer');
      return placed(created, { replayed, quote });
    },

    async lookup(order, context) {
      try {
        const call = createRetailerCaller(parseConfig(context.config), transport, clock, context.signal);
        const logger = context.logger.child({ adapter: 'api', orderNumber: order.orderNumber, storeSlug: order.storeSlug });
        const earlier = await findEarlierOrder(call, order.orderNumber, logger);
        if (earlier) return { kind: 'placed', result: placed(earlier, { recoveredByLookup: true }) };
        return { kind: 'not_placed', evidence: `GET /orders?externalReference=${order.orderNumber} answered an empty list` };
      } catch (error) {
        return { kind: 'unknown', reason: `the retailer's order lookup failed: ${(error as Error).message}` };
      }
    },

    async check(context) {
      const problems = configProblems(context.config);
      if (Object.keys(problems).length > 0) return [configCheck(problems)];
      const call = createRetailerCaller(parseConfig(context.config), transport, clock, context.signal);
      const checks: StoreCheck[] = [configCheck({})];
      try {
        await call('lookup_orders', 'GET', `/orders?externalReference=${encodeURIComponent('store-check')}`);
        checks.push({ name: 'reach', ok: true, message: 'the retailer order API answers' });
        checks.push({ name: 'authenticate', ok: true, message: 'the apiKey is accepted' });
      } catch (error) {
        const refused = error instanceof PermanentPlacementError && error.code === 'config_invalid' && [401, 403].includes(Number(error.details.httpStatus));
        checks.push({ name: 'reach', ok: refused, message: refused ? 'the retailer order API answers' : (error as Error).message });
        checks.push({ name: 'authenticate', ok: false, message: refused ? 'the retailer refused the apiKey (401/403)' : 'not tried: the API could not be reached' });
        return checks;
      }
      const product = context.sampleProduct;
      if (!product) return [...checks, { name: 'price', ok: false, message: 'the store has no product in our catalog to price' }];
      try {
        const items = [{ sku: product.sku, quantity: 1, unitPriceCents: product.priceCents }];
        const quote = parseReply(quoteReplySchema, await call('quote', 'POST', '/quotes', { items, shippingAddress: CHECK_ADDRESS }));
        const message = `1 × ${product.sku} quoted at ${quote.totalCents} cents with tax and shipping (our catalog price ${product.priceCents} cents before them)`;
        checks.push({ name: 'price', ok: true, message });
      } catch (error) {
        checks.push({ name: 'price', ok: false, message: `1 × ${product.sku} could not be priced: ${(error as Error).message}` });
      }
      return checks;
    },
  };
}

const configCheck = (problems: Record<string, string>): StoreCheck =>
  Object.keys(problems).length === 0
    ? { name: 'config', ok: true, message: 'placementConfig is complete' }
    : { name: 'config', ok: false, message: Object.entries(problems).map(([field, problem]) => `${field} ${problem}`).join('; ') };

/** The order an earlier attempt placed, if the retailer has it (normally one; more would mean a retailer bug). */
async function findEarlierOrder(
  call: RetailerCaller,
  orderNumber: string,
  logger: Logger,
): Promise<RetailerOrder | undefined> {
  const reply = await call('lookup_orders', 'GET', `/orders?externalReference=${encodeURIComponent(orderNumber)}`);
  const { orders } = parseReply(lookupReplySchema, reply);
  if (orders.length > 1) {
    const retailerOrders = orders.map((found) => found.orderNumber);
    logger.warn({ retailerOrders }, 'retailer holds several orders for one of ours');
  }
  if (orders[0]) logger.info({ storeOrderNumber: orders[0].orderNumber }, 'an earlier attempt had placed the order');
  return orders[0];
}

/** `Retry-After` as milliseconds from now: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

function configProblems(config: unknown): Record<string, string> {
  const result = configSchema.safeParse(config);
  return result.success ? {} : problemsOf(result.error.issues);
}

function parseConfig(config: unknown): ApiPlacementConfig {
  const result = configSchema.safeParse(config);
  if (result.success) return result.data;
  throw new PermanentPlacementError('config_invalid', 'store placement config is invalid for the api adapter', {
    fields: configProblems(config),
  });
}

function createOrderBody(order: PlacementOrder, items: unknown[], quote: Quote) {
  return {
    externalReference: order.orderNumber,
    items,
    shippingAddress: order.shippingAddress,
    ...shippingMethodOf(order),
    // The retailer refuses (price_changed) if its total moved since the quote we accepted.
    expectedTotalCents: quote.totalCents,
  };
}

/** The shopper's shipping choice as the protocol's `shippingMethod` (absent: the retailer's default). */
const shippingMethodOf = (order: PlacementOrder) => (order.shippingOption ? { shippingMethod: order.shippingOption.id } : {});

const quoteDetails = ({ totalCents, taxCents, shippingCents }: Quote) => ({ totalCents, taxCents, shippingCents });

interface RetailerReply {
  step: Step;
  status: number;
  body: unknown;
}

type RetailerCaller = (
  step: Step,
  method: string,
  path: string,
  body?: unknown,
  idempotencyKey?: string,
) => Promise<RetailerReply>;

/**
 * One request to the retailer, with the config's timeout (and the caller's signal), mapped to the placement error
 * taxonomy: 2xx comes back, anything else throws. The API key only ever goes into the Authorization header.
 */
function createRetailerCaller(config: ApiPlacementConfig, transport: HttpTransport, clock: Clock, signal?: AbortSignal): RetailerCaller {
  const baseUrl = config.baseUrl.replace(/\/+$/, '');

  return async (step, method, path, body, idempotencyKey) => {
    const headers: Record<string, string> = { authorization: `Bearer ${config.apiKey}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
    let reply: HttpReply;
    try {
      // Redirects are not followed: one means the baseUrl is wrong, and following it would replay a POST
      // somewhere we were not told to.
      reply = await transport({
        method,
        url: `${baseUrl}${path}`,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        timeoutMs: config.timeoutMs,
        signal,
      });
    } catch (error) {
      throw transportError(step, error);
    }
    if (reply.status >= 200 && reply.status < 300) return { step, status: reply.status, body: parseJsonOrUndefined(reply.text) };
    throw statusError(step, reply, clock);
  };
}

function transportError(step: Step, error: unknown): TransientPlacementError {
  if (!(error instanceof HttpTransportError)) return new TransientPlacementError(`retailer ${step}: ${String(error)}`, undefined, error);
  const what = error.reason === 'connection' ? `connection failed (${error.code ?? error.message})` : error.message;
  return new TransientPlacementError(`retailer ${step}: ${what}`, undefined, error);
}

function statusError(step: Step, response: HttpReply, clock: Clock): Error {
  const { status } = response;
  const reply = errorReplySchema.safeParse(parseJsonOrUndefined(response.text));
  const retailerCode = reply.success ? reply.data.code : undefined;
  const retailerMessage = reply.success ? reply.data.message : undefined;
  const details = { step, httpStatus: status, retailerCode, retailerMessage };
  const summary = `retailer ${step} answered ${status}${retailerCode ? ` ${retailerCode}` : ''}`;

  if (status >= 500 || TRANSIENT_CLIENT_STATUSES.has(status)) {
    const retryAfterMs = parseRetryAfter(response.header('retry-after') ?? null, clock.now());
    return Object.assign(new TransientPlacementError(summary, retryAfterMs), { httpStatus: status });
  }
  if (status === 401 || status === 403) {
    return new PermanentPlacementError('config_invalid', `${summary}: check the store's apiKey`, details);
  }
  if (status === 422 && retailerCode && RETAILER_REJECTION_CODES.has(retailerCode)) {
    return new PermanentPlacementError(retailerCode as PermanentPlacementCode, retailerMessage ?? summary, details);
  }
  if (status >= 400 && status < 500) return new PermanentPlacementError('rejected', retailerMessage ?? summary, details);
  // 3xx (redirects are not followed) or anything stranger: the store's baseUrl does not point at the API.
  return new PermanentPlacementError('config_invalid', `${summary}: check the store's baseUrl`, details);
}

/** A create whose answer leaves open whether the retailer took the order (not a refusal, not "try later"). */
function isAmbiguous(error: unknown): boolean {
  if (!(error instanceof TransientPlacementError)) return false;
  const { cause } = error;
  if (cause instanceof HttpTransportError && cause.reason === 'connection' && cause.code === 'ECONNREFUSED') return false;
  const status = (error as TransientPlacementError & { httpStatus?: number }).httpStatus;
  return status === undefined || status >= 500;
}

/** A 2xx whose body is not what the protocol promises (or not JSON): the outcome is unknown, so a retry's lookup decides. */
function parseReply<T>(schema: z.ZodType<T>, reply: RetailerReply): T {
  const result = schema.safeParse(reply.body);
  if (result.success) return result.data;
  throw new TransientPlacementError(`retailer ${reply.step}: unexpected answer (${z.prettifyError(result.error)})`);
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
