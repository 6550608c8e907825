import { z } from 'zod';
import type { Clock } from '../../domain/clock';
import type { HttpTransport } from '../http-transport';
import {
  PermanentPlacementError,
  type LookupOutcome,
  type PlacementResult,
  type RetailerOrderStatus,
} from '../placement-adapter';
import { problemsOf, type PlatformCheckoutJournal, type PlatformConnector } from './platform-connector';
import { fillOrder, payOrder, reopenActiveOrder, type ShopSession } from './vendure-checkout';
import { checkVendureStore } from './vendure-check';
import { createVendureApiFactory, type VendureApi } from './vendure-graphql';
import { quoteVendureShipping } from './vendure-shipping';

export const VENDURE = 'vendure';

const configSchema = z.object({
  platform: z.literal(VENDURE),
  shopApiUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  adminApiUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  adminUsername: z.string({ error: 'is required' }).regex(/\S/, 'must not be empty'),
  adminPassword: z.string({ error: 'is required' }).min(1, 'must not be empty'),
  paymentMethodCode: z.string({ error: 'is required' }).regex(/\S/, 'must not be empty'),
  customerEmailAddress: z.email({ error: 'must be an email address' }),
  shippingMethodCode: z.string().regex(/\S/, 'must not be empty').optional(),
  orderReferenceField: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a custom field name')
    .optional(),
  channelToken: z.string().min(1).optional(),
  timeoutMs: z
    .int({ error: 'must be an integer' })
    .min(100, 'must be at least 100')
    .max(120_000, 'must be at most 120000')
    .default(10_000),
});
export type VendureConfig = z.output<typeof configSchema>;

/** What we keep in `platform_checkouts` for a Vendure order: the session is a guest's, so the token is its key. */
interface VendureCheckoutRecord extends ShopSession {
  state?: 'adding_items' | 'paying' | 'paid';
}

interface AdminOrder {
  code: string;
  state: string;
  orderPlacedAt: string | null;
  totalWithTax: number;
  fulfillments: { state: string; method: string; trackingCode: string | null }[] | null;
}

const ADMIN_ORDER = 'code state orderPlacedAt totalWithTax fulfillments { state method trackingCode }';

/**
 * Vendure (@vendure/core 2.x/3.x) through its GraphQL Shop API, as a guest buying on account.
 *
 * Buying: add each variant (found by SKU through the Admin API), set our reference, the buying account's email,
 * the shopper's address and a shipping method, check Vendure's total against the snapshot's (price guard), move
 * the order to ArrangingPayment and add a payment with the method the retailer configured for us. Vendure assigns
 * the order's code with the first item; the code and the session token are recorded before anything else, so the
 * retry after a crash empties and refills that same order (while unpaid) or finds it paid through the Admin API:
 * never a second order. Vendure sends no webhooks: its orders' fulfilment, tracking and cancellation are polled.
 */
export function createVendureConnector(options: {
  transport: HttpTransport;
  clock: Clock;
  journal: PlatformCheckoutJournal;
}): PlatformConnector {
  const { clock, journal } = options;
  const apiFor = createVendureApiFactory(options.transport);
  const remember = (orderNumber: string, record: VendureCheckoutRecord) =>
    journal.write(orderNumber, VENDURE, { ...record });

  const placed = (
    order: AdminOrder | { code: string; totalWithTax: number; state: string },
    details: Record<string, unknown>,
  ): PlacementResult => ({
    kind: 'placed',
    storeOrderNumber: order.code,
    placedAt: clock.now(),
    retailerTotalCents: order.totalWithTax,
    details: { platform: VENDURE, vendureState: order.state, ...details },
  });

  async function findOrder(api: VendureApi, code: string): Promise<AdminOrder | undefined> {
    const data = await api.admin<{ orders: { items: AdminOrder[] } }>(
      'find_order',
      `query Order($code: String!) { orders(options: { filter: { code: { eq: $code } } }) { items { ${ADMIN_ORDER} } } }`,
      { code },
    );
    return data.orders.items[0];
  }

  /** A paid order carrying our order number in the shop's reference field, when the store names one. */
  async function findPaidByReference(
    api: VendureApi,
    config: VendureConfig,
    orderNumber: string,
  ): Promise<AdminOrder | undefined> {
    if (!config.orderReferenceField) return undefined;
    // The field name is validated as an identifier (configSchema), so it can stand in the query text.
    const data = await api.admin<{ orders: { items: AdminOrder[] } }>(
      'find_by_reference',
      `query Ref($ref: String!) { orders(options: { filter: { ${config.orderReferenceField}: { eq: $ref } } }) { items { ${ADMIN_ORDER} } } }`,
      { ref: orderNumber },
    );
    return data.orders.items.find((candidate) => candidate.orderPlacedAt);
  }

  return {
    platform: VENDURE,
    statusUpdates: 'polling',

    validateConfig: (config) => {
      const result = configSchema.safeParse(config);
      return result.success ? {} : problemsOf(result.error.issues);
    },

    async place(order, context) {
      const config = parseConfig(context.config);
      const api = apiFor(config, context.signal);
      const logger = context.logger.child({
        adapter: 'api',
        platform: VENDURE,
        orderNumber: order.orderNumber,
        storeSlug: order.storeSlug,
      });
      const record = (await journal.read(order.orderNumber, VENDURE)) as VendureCheckoutRecord | undefined;
      let session: ShopSession = {};
      if (!record && context.attempt > 1) {
        // No record of an earlier try (it died before Vendure assigned a code, or the record is gone): our reference
        // at the shop is the last word before buying.
        const earlier = await findPaidByReference(api, config, order.orderNumber);
        if (earlier) return placed(earlier, { recoveredByLookup: true });
      }
      if (record?.code && record.token) {
        const resumable = { code: record.code, token: record.token };
        if (await reopenActiveOrder(api, resumable)) {
          logger.info({ vendureOrderCode: record.code }, 'resuming the unpaid vendure order an earlier try started');
          session = resumable;
        } else {
          const earlier = await findOrder(api, record.code);
          if (earlier?.orderPlacedAt) {
            logger.info({ vendureOrderCode: earlier.code }, 'an earlier try had paid the vendure order');
            await remember(order.orderNumber, { state: 'paid' });
            return placed(earlier, { recoveredByLookup: true });
          }
        }
      }
      const filled = await fillOrder(api, config, order, session, (started) =>
        remember(order.orderNumber, { ...started, state: 'adding_items' }),
      );
      const paid = await payOrder(api, config, order, context, filled.session, filled.order, () =>
        remember(order.orderNumber, { state: 'paying' }),
      );
      // Best effort: should it fail, the retry finds the order paid through the Admin API all the same.
      await remember(order.orderNumber, { state: 'paid' }).catch((error) =>
        logger.warn({ err: error }, 'could not record the vendure payment'),
      );
      logger.info({ vendureOrderCode: paid.code, retailerTotalCents: paid.totalWithTax }, 'placed with vendure');
      return placed(paid, { vendureOrderCode: paid.code });
    },

    async lookup(order, context): Promise<LookupOutcome> {
      try {
        const record = (await journal.read(order.orderNumber, VENDURE)) as VendureCheckoutRecord | undefined;
        const config = parseConfig(context.config);
        const api = apiFor(config, context.signal);
        if (!record?.code) {
          const byReference = await findPaidByReference(api, config, order.orderNumber);
          if (byReference) return { kind: 'placed', result: placed(byReference, { recoveredByLookup: true }) };
          return {
            kind: 'not_placed',
            evidence: 'no vendure order was started for it (its code is recorded before anything is paid)',
          };
        }
        const found = await findOrder(api, record.code);
        if (found?.orderPlacedAt) return { kind: 'placed', result: placed(found, { recoveredByLookup: true }) };
        if (!found) return { kind: 'not_placed', evidence: `vendure order ${record.code} does not exist` };
        if (record.state !== 'paying')
          return {
            kind: 'not_placed',
            evidence: `vendure order ${record.code} is in state ${found.state}, never paid`,
          };
        // A payment was sent and its answer never seen: it may still land. Moving the order back to AddingItems
        // (its session is ours) shuts that door, since Vendure only takes a payment in ArrangingPayment.
        if (record.token && (await reopenActiveOrder(api, { code: record.code, token: record.token }))) {
          await remember(order.orderNumber, { state: 'adding_items' });
          return {
            kind: 'not_placed',
            evidence: `vendure order ${record.code} was never paid; moved back to AddingItems so a late payment cannot land`,
          };
        }
        const again = await findOrder(api, record.code);
        if (again?.orderPlacedAt) return { kind: 'placed', result: placed(again, { recoveredByLookup: true }) };
        return {
          kind: 'unknown',
          reason: `a payment was sent for vendure order ${record.code} (now ${again?.state ?? 'gone'}) and its outcome was not seen`,
        };
      } catch (error) {
        return { kind: 'unknown', reason: (error as Error).message };
      }
    },

    async readStatus(storeOrderNumber, context): Promise<RetailerOrderStatus> {
      const found = await findOrder(apiFor(parseConfig(context.config), context.signal), storeOrderNumber);
      if (!found) throw new Error(`vendure has no order ${storeOrderNumber}`);
      return statusOf(found);
    },

    quoteShipping: (request, context) =>
      quoteVendureShipping(apiFor(parseConfig(context.config), context.signal), request),

    check: (context) =>
      checkVendureStore(configSchema, context, (config) => apiFor(config as VendureConfig, context.signal)),
  };
}

/** Vendure's order and fulfilment states as the moves our webhooks announce; tracking from the fulfilment that has it. */
export function statusOf(order: Pick<AdminOrder, 'state' | 'fulfillments'>): RetailerOrderStatus {
  const fulfillments = (order.fulfillments ?? []).filter((fulfillment) => fulfillment.state !== 'Cancelled');
  const tracked = fulfillments.find((fulfillment) => fulfillment.trackingCode);
  const tracking = tracked ? { trackingNumber: tracked.trackingCode!, carrier: tracked.method } : {};
  if (order.state === 'Cancelled') return { state: 'cancelled', retailerState: order.state };
  if (order.state === 'Delivered' || order.state === 'PartiallyDelivered')
    return { state: 'delivered', retailerState: order.state, ...tracking };
  if (order.state === 'Shipped' || order.state === 'PartiallyShipped')
    return { state: 'shipped', retailerState: order.state, ...tracking };
  return { state: 'open', retailerState: order.state };
}

function parseConfig(config: unknown): VendureConfig {
  const result = configSchema.safeParse(config);
  if (result.success) return result.data;
  throw new PermanentPlacementError('config_invalid', 'store placement config is invalid for the vendure connector', {
    fields: problemsOf(result.error.issues),
  });
}
