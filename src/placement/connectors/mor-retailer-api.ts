import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock } from '../../domain/clock';
import { FLAT_RULE_OPTION_ID } from '../../domain/cart-snapshot';
import type { HttpTransport } from '../http-transport';
import {
  PermanentPlacementError,
  PriceMismatchError,
  type PlacementOrder,
  type PlacementResult,
  type QuotedShippingOption,
  type StoreCheck,
} from '../placement-adapter';
import { createRetailerCaller, isAmbiguous, parseReply, type RetailerCaller } from './mor-retailer-protocol';
import { configCheck, configProblems, parseConfig } from './mor-retailer-config';
import { DEFAULT_PLATFORM, type PlatformConnector } from './platform-connector';
import { retailerOrderKey } from '../../domain/idempotency-keys';

const retailerOrderSchema = z.object({
  orderNumber: z.string().min(1),
  status: z.string(),
  totalCents: z.int().min(0),
});
const lookupReplySchema = z.object({ orders: z.array(retailerOrderSchema) });
const quoteReplySchema = z.object({
  totalCents: z.int().min(0),
  taxCents: z.int().min(0),
  shippingCents: z.int().min(0),
});
const days = z.int().min(0).nullish();
/** A quote that names no `shippingMethod` may list the methods the retailer offers (without them: its default, `shippingCents`). */
const shippingQuoteReplySchema = quoteReplySchema.extend({
  shippingMethods: z
    .array(
      z.object({
        id: z.string().min(1),
        name: z.string().min(1),
        priceCents: z.int().min(0),
        minDays: days,
        maxDays: days,
      }),
    )
    .optional(),
});

type RetailerOrder = z.infer<typeof retailerOrderSchema>;
type Quote = z.infer<typeof quoteReplySchema>;

/** Where a check asks for a quote: any served address does; the retailer only prices it. */
const CHECK_ADDRESS = {
  name: 'Store Check',
  address1: '1 Market St',
  city: 'San Francisco',
  state: 'CA',
  zip: '94105',
  country: 'US',
  phone: '+14155550100',
};

/**
 * The default connector: the retailer order API in CONTRACT.md ("The retailer order API").
 *
 * The order number is both the `Idempotency-Key` and the `externalReference`, so a retry can never buy twice:
 * the retailer replays the first order for the same key, and a retry whose first try may have reached the retailer
 * (attempt > 1) looks the order up before sending anything. A quote guards the price before the order is sent.
 * The retailer posts status changes to our webhook.
 */
export function createMorRetailerApiConnector({
  transport,
  clock,
}: {
  transport: HttpTransport;
  clock: Clock;
}): PlatformConnector {
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
      const logger = context.logger.child({
        adapter: 'api',
        orderNumber: order.orderNumber,
        storeSlug: order.storeSlug,
      });

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
      const quoteReply = await call('quote', 'POST', '/quotes', {
        items,
        shippingAddress: order.shippingAddress,
        ...shippingMethodOf(order),
      });
      const quote = quoteDetails(parseReply(quoteReplySchema, quoteReply));
      if (quote.totalCents > order.totalCents + context.priceToleranceCents) {
        logger.warn(
          { quote, snapshotTotalCents: order.totalCents },
          'retailer quote above tolerance; nothing submitted',
        );
        throw new PriceMismatchError(quote.totalCents, order.totalCents, { quote });
      }

      let created: RetailerOrder;
      let replayed: boolean;
      try {
        const reply = await call(
          'create_order',
          'POST',
          '/orders',
          createOrderBody(order, items, quote),
          retailerOrderKey(order.orderNumber),
        );
        created = parseReply(retailerOrderSchema, reply);
        replayed = reply.status === 200;
      } catch (error) {
        // The outcome of the attempt, not the answer, is what counts (for the store's breaker, and so that no retry
        // is spent): a 5xx, a timeout or an unreadable 2xx may hide an order the retailer did take. Ask once.
        const accepted = isAmbiguous(error)
          ? await findEarlierOrder(call, order.orderNumber, logger).catch(() => undefined)
          : undefined;
        if (!accepted) throw error;
        logger.warn(
          { err: error, storeOrderNumber: accepted.orderNumber },
          'the retailer took the order despite its answer',
        );
        return placed(accepted, { recoveredByLookup: true, answer: (error as Error).message });
      }
      logger.info(
        { storeOrderNumber: created.orderNumber, retailerTotalCents: created.totalCents },
        'placed with retailer',
      );
      return placed(created, { replayed, quote });
    },

    async lookup(order, context) {
      try {
        const call = createRetailerCaller(parseConfig(context.config), transport, clock, context.signal);
        const logger = context.logger.child({
          adapter: 'api',
          orderNumber: order.orderNumber,
          storeSlug: order.storeSlug,
        });
        const earlier = await findEarlierOrder(call, order.orderNumber, logger);
        if (earlier) return { kind: 'placed', result: placed(earlier, { recoveredByLookup: true }) };
        return {
          kind: 'not_placed',
          evidence: `GET /orders?externalReference=${order.orderNumber} answered an empty list`,
        };
      } catch (error) {
        return { kind: 'unknown', reason: `the retailer's order lookup failed: ${(error as Error).message}` };
      }
    },

    async quoteShipping(request, context): Promise<QuotedShippingOption[]> {
      const call = createRetailerCaller(parseConfig(context.config), transport, clock, context.signal);
      const quote = parseReply(shippingQuoteReplySchema, await call('quote', 'POST', '/quotes', request));
      if (!quote.shippingMethods?.length) {
        // The retailer has one way of shipping: its default, which placement asks for by naming none.
        return [
          {
            id: FLAT_RULE_OPTION_ID,
            name: 'Standard shipping',
            priceCents: quote.shippingCents,
            minDays: null,
            maxDays: null,
          },
        ];
      }
      return quote.shippingMethods.map(({ id, name, priceCents, minDays, maxDays }) => ({
        id,
        name,
        priceCents,
        minDays: minDays ?? null,
        maxDays: maxDays ?? null,
      }));
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
        const refused =
          error instanceof PermanentPlacementError &&
          error.code === 'config_invalid' &&
          [401, 403].includes(Number(error.details.httpStatus));
        checks.push({
          name: 'reach',
          ok: refused,
          message: refused ? 'the retailer order API answers' : (error as Error).message,
        });
        checks.push({
          name: 'authenticate',
          ok: false,
          message: refused ? 'the retailer refused the apiKey (401/403)' : 'not tried: the API could not be reached',
        });
        return checks;
      }
      const product = context.sampleProduct;
      if (!product)
        return [...checks, { name: 'price', ok: false, message: 'the store has no product in our catalog to price' }];
      try {
        const items = [{ sku: product.sku, quantity: 1, unitPriceCents: product.priceCents }];
        const quote = parseReply(
          quoteReplySchema,
          await call('quote', 'POST', '/quotes', { items, shippingAddress: CHECK_ADDRESS }),
        );
        const message = `1 × ${product.sku} quoted at ${quote.totalCents} cents with tax and shipping (our catalog price ${product.priceCents} cents before them)`;
        checks.push({ name: 'price', ok: true, message });
      } catch (error) {
        checks.push({
          name: 'price',
          ok: false,
          message: `1 × ${product.sku} could not be priced: ${(error as Error).message}`,
        });
      }
      return checks;
    },
  };
}

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
const shippingMethodOf = (order: PlacementOrder) =>
  order.shippingOption ? { shippingMethod: order.shippingOption.id } : {};

const quoteDetails = ({ totalCents, taxCents, shippingCents }: Quote) => ({ totalCents, taxCents, shippingCents });
