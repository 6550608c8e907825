import { newOrderNumber } from '../src/domain/ids';
import { silentLogger } from '../src/logger';
import { createApiPlacementAdapter, parseRetryAfter } from '../src/placement/api-adapter';
import {
  PermanentPlacementError,
  PriceMismatchError,
  TransientPlacementError,
  type PlacementContext,
  type PlacementOrder,
  type PlacementResult,
} from '../src/placement/placement-adapter';
import {
  connectRetailerApiSimulator,
  startRetailerApiSimulator,
  type RetailerApiSimulator,
  type RetailerSetup,
} from '../src/sandbox/retailer-api';

const API_KEY = 'test-key';
/** 2 × TEE at 25.00 = 50.00, tax 8.25 % = 4.13 (4.125 rounded half-up), shipping 5.99. */
const SNAPSHOT_TOTAL_CENTS = 5000 + 413 + 599;

let sim: RetailerApiSimulator;
let retailerCount = 0;
const adapter = createApiPlacementAdapter();

beforeAll(async () => {
  sim = await startRetailerApiSimulator({ port: 0 });
});

afterAll(async () => {
  await sim.close();
});

function addRetailer(overrides: Partial<RetailerSetup> = {}): { slug: string; config: Record<string, unknown> } {
  retailerCount += 1;
  const slug = `shop-${retailerCount}`;
  const { baseUrl } = sim.addRetailer(slug, {
    apiKey: API_KEY,
    catalog: { TEE: { priceCents: 2500, stock: 10 } },
    taxBasisPoints: 825,
    shippingCents: 599,
    rejectedZips: ['99999'],
    ...overrides,
  });
  return { slug, config: { baseUrl, apiKey: API_KEY, timeoutMs: 2000 } };
}

function buildOrder(slug: string, overrides: Partial<PlacementOrder> = {}): PlacementOrder {
  return {
    orderNumber: newOrderNumber(),
    storeSlug: slug,
    storeName: 'Test Shop',
    currency: 'usd',
    items: [
      {
        orderItemId: 'oi_1',
        sku: 'TEE',
        name: 'Tee',
        quantity: 2,
        size: 'M',
        color: 'black',
        unitPriceCents: 2500,
        totalPriceCents: 5000,
      },
    ],
    shippingAddress: {
      name: 'Ada Lovelace',
      address1: '1 Main St',
      city: 'Springfield',
      state: 'IL',
      zip: '62701',
      country: 'US',
      phone: '+14155550100',
    },
    subtotalCents: 5000,
    shippingCents: 599,
    taxCents: 413,
    totalCents: SNAPSHOT_TOTAL_CENTS,
    ...overrides,
  };
}

function context(config: Record<string, unknown>, overrides: Partial<PlacementContext> = {}): PlacementContext {
  return { config, priceToleranceCents: 0, attempt: 1, logger: silentLogger, ...overrides };
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the placement to fail');
}

describe('api placement adapter', () => {
  it('places the order and returns the retailer order number and total', async () => {
    const { slug, config } = addRetailer();
    const order = buildOrder(slug);

    const outcome = await adapter.place(order, context(config));

    expect(outcome).toMatchObject({ kind: 'placed', retailerTotalCents: SNAPSHOT_TOTAL_CENTS });
    const orders = sim.orders(slug);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({
      externalReference: order.orderNumber,
      idempotencyKey: order.orderNumber,
      totalCents: SNAPSHOT_TOTAL_CENTS,
    });
    expect(outcome.kind === 'placed' && outcome.storeOrderNumber).toBe(orders[0]!.orderNumber);
    expect(orders[0]!.orderNumber).toMatch(/^SHOP\d+-\d+$/);
    expect(orders[0]!.items[0]).toEqual({ sku: 'TEE', quantity: 2, size: 'M', color: 'black', unitPriceCents: 2500 });
  });

  it('when the same order is placed twice, then the retailer holds one order', async () => {
    const { slug, config } = addRetailer();
    const order = buildOrder(slug);

    const first = await adapter.place(order, context(config));
    const second = await adapter.place(order, context(config));

    expect(second).toMatchObject({ kind: 'placed', details: { replayed: true } });
    expect(second).toMatchObject({ storeOrderNumber: (first as PlacementResult).storeOrderNumber });
    expect(sim.stats(slug).orderCreations).toBe(1);
  });

  it('when the retailer answers 500, then the error is transient and the retry places once', async () => {
    const { slug, config } = addRetailer();
    const order = buildOrder(slug);
    sim.injectFaults(slug, { kind: 'status_500' });

    expect(await failureOf(adapter.place(order, context(config)))).toBeInstanceOf(TransientPlacementError);
    const retried = await adapter.place(order, context(config, { attempt: 2 }));

    expect(retried).toMatchObject({ kind: 'placed', details: { replayed: false } });
    expect(sim.orders(slug)).toHaveLength(1);
    // One lookup right after the 500 (it found nothing, so the try failed), one before the retry sends anything.
    expect(sim.stats(slug)).toMatchObject({ lookups: 2, orderCreations: 1 });
  });

  it('when the answer is lost after the order was created, then the same try finds it: placed, nothing created twice, no retry', async () => {
    const { slug, config } = addRetailer();
    const order = buildOrder(slug);
    sim.injectFaults(slug, { kind: 'create_then_500' });

    const outcome = await adapter.place(order, context(config));

    const [existing, ...more] = sim.orders(slug);
    expect(more).toEqual([]);
    expect(outcome).toMatchObject({
      kind: 'placed',
      storeOrderNumber: existing!.orderNumber,
      retailerTotalCents: SNAPSHOT_TOTAL_CENTS,
      details: { recoveredByLookup: true, answer: expect.stringContaining('500') },
    });
    expect(sim.stats(slug)).toMatchObject({ orderCreations: 1, orderRequests: 1, quotes: 1, lookups: 1 });
  });

  it('when a retry finds the order an earlier try created, then it creates nothing', async () => {
    const { slug, config } = addRetailer();
    const order = buildOrder(slug);
    await adapter.place(order, context(config));

    const retried = await adapter.place(order, context(config, { attempt: 2 }));

    expect(retried).toMatchObject({
      kind: 'placed',
      storeOrderNumber: sim.orders(slug)[0]!.orderNumber,
      details: { recoveredByLookup: true },
    });
    expect(sim.stats(slug)).toMatchObject({ orderCreations: 1, orderRequests: 1, quotes: 1, lookups: 1 });
  });

  it('when the retailer rate-limits the create, then nothing is looked up: a 429 says the order was not taken', async () => {
    const { slug, config } = addRetailer();
    sim.injectFaults(slug, { kind: 'status_429', retryAfterSeconds: 1 });
    expect(await failureOf(adapter.place(buildOrder(slug), context(config)))).toBeInstanceOf(TransientPlacementError);
    expect(sim.stats(slug)).toMatchObject({ lookups: 0, orderCreations: 0 });
  });

  it('when the retailer rate-limits, then the error is transient with its Retry-After', async () => {
    const { slug, config } = addRetailer();
    sim.injectFaults(slug, { kind: 'status_429', retryAfterSeconds: 7 });

    const error = await failureOf(adapter.place(buildOrder(slug), context(config)));

    expect(error).toBeInstanceOf(TransientPlacementError);
    expect((error as TransientPlacementError).retryAfterMs).toBe(7000);
  });

  it('when the retailer does not answer in time, then the error is transient', async () => {
    const { slug, config } = addRetailer();
    // The simulator never answers: only the adapter's own 200 ms limit can end this call (a hang fails the test).
    sim.injectFaults(slug, { kind: 'timeout' });

    const error = await failureOf(adapter.place(buildOrder(slug), context({ ...config, timeoutMs: 200 })));

    expect(error).toBeInstanceOf(TransientPlacementError);
    expect(error.message).toMatch(/no answer within 200 ms/);
    expect(sim.orders(slug)).toHaveLength(0);
  });

  it('when the connection is reset, then the error is transient', async () => {
    const { slug, config } = addRetailer();
    sim.injectFaults(slug, { kind: 'reset', scope: 'any' });

    const error = await failureOf(adapter.place(buildOrder(slug), context(config)));

    expect(error).toBeInstanceOf(TransientPlacementError);
    expect(error.message).toMatch(/connection failed/);
  });

  it('when the caller aborts, then the error is transient', async () => {
    const { slug, config } = addRetailer({ latencyMs: 1000 });
    const error = await failureOf(
      adapter.place(buildOrder(slug), context(config, { signal: AbortSignal.timeout(50) })),
    );

    expect(error).toBeInstanceOf(TransientPlacementError);
    expect(error.message).toMatch(/aborted by the caller/);
  });

  it('when stock is short, then the error is permanent out_of_stock and nothing is bought', async () => {
    const { slug, config } = addRetailer({ catalog: { TEE: { priceCents: 2500, stock: 1 } } });

    const error = await failureOf(adapter.place(buildOrder(slug), context(config)));

    expect(error).toBeInstanceOf(PermanentPlacementError);
    expect(error).toMatchObject({ code: 'out_of_stock', details: { step: 'create_order', httpStatus: 422 } });
    expect(sim.orders(slug)).toHaveLength(0);
  });

  it('when the retailer does not deliver to the address, then the error is permanent address_rejected', async () => {
    const { slug, config } = addRetailer();
    const order = buildOrder(slug);
    const rejectedZip = buildOrder(slug, { shippingAddress: { ...order.shippingAddress, zip: '99999' } });
    const missingStreet = buildOrder(slug, { shippingAddress: { ...order.shippingAddress, address1: '' } });

    for (const rejected of [rejectedZip, missingStreet]) {
      const error = await failureOf(adapter.place(rejected, context(config)));
      expect(error).toBeInstanceOf(PermanentPlacementError);
      expect(error).toMatchObject({ code: 'address_rejected' });
    }
    expect(sim.orders(slug)).toHaveLength(0);
  });

  it('when the quote is above the tolerance, then it throws PriceMismatchError and submits nothing', async () => {
    const { slug, config } = addRetailer();
    sim.setPrice(slug, 'TEE', 2600);
    const quotedTotal = 5200 + 429 + 599;

    const error = await failureOf(adapter.place(buildOrder(slug), context(config, { priceToleranceCents: 100 })));

    expect(error).toBeInstanceOf(PriceMismatchError);
    expect(error).toMatchObject({
      code: 'price_changed',
      retailerTotalCents: quotedTotal,
      expectedTotalCents: SNAPSHOT_TOTAL_CENTS,
    });
    expect(sim.stats(slug)).toMatchObject({ quotes: 1, orderRequests: 0, orderCreations: 0 });
  });

  it('when the quote is within the tolerance, then it places at the retailer total', async () => {
    const { slug, config } = addRetailer();
    sim.setPrice(slug, 'TEE', 2550);
    const quotedTotal = 5100 + 421 + 599;

    const outcome = await adapter.place(buildOrder(slug), context(config, { priceToleranceCents: 200 }));

    expect(outcome).toMatchObject({
      kind: 'placed',
      retailerTotalCents: quotedTotal,
      details: { quote: { totalCents: quotedTotal } },
    });
    expect(sim.orders(slug)[0]).toMatchObject({ totalCents: quotedTotal });
  });

  it('when the API key is wrong, then the error is permanent config_invalid and does not carry the key', async () => {
    const { slug, config } = addRetailer();

    const error = await failureOf(adapter.place(buildOrder(slug), context({ ...config, apiKey: 'sk-wrong-secret' })));

    expect(error).toBeInstanceOf(PermanentPlacementError);
    expect(error).toMatchObject({ code: 'config_invalid', details: { httpStatus: 401 } });
    const { message, details } = error as PermanentPlacementError;
    expect(JSON.stringify({ message, details })).not.toContain('sk-wrong-secret');
    expect(sim.stats(slug)).toMatchObject({ unauthorized: 1, orderCreations: 0 });
  });

  it('when the store config is invalid, then placing fails permanently with config_invalid', async () => {
    const error = await failureOf(adapter.place(buildOrder('nowhere'), context({ baseUrl: 'not a url', apiKey: 'k' })));

    expect(error).toMatchObject({ code: 'config_invalid', details: { fields: { baseUrl: 'must be an http(s) URL' } } });
  });
});

describe('api adapter lookup', () => {
  it('when the retailer holds the order, then the lookup answers placed with its number and total, and buys nothing', async () => {
    const { slug, config } = addRetailer();
    const order = buildOrder(slug);
    await adapter.place(order, context(config));

    const found = await adapter.lookup!(order, context(config));

    expect(found).toMatchObject({
      kind: 'placed',
      result: { storeOrderNumber: sim.orders(slug)[0]!.orderNumber, retailerTotalCents: SNAPSHOT_TOTAL_CENTS },
    });
    expect(sim.stats(slug)).toMatchObject({ orderCreations: 1, orderRequests: 1 });
  });

  it('when the retailer answers an empty list, then the lookup answers not_placed with that evidence', async () => {
    const { slug, config } = addRetailer();
    const order = buildOrder(slug);
    expect(await adapter.lookup!(order, context(config))).toEqual({
      kind: 'not_placed',
      evidence: expect.stringContaining('empty list'),
    });
    expect(sim.stats(slug)).toMatchObject({ lookups: 1, orderRequests: 0, quotes: 0 });
  });

  it('when the lookup meets a 500, a timeout or a dead retailer, then it answers unknown, never not_placed', async () => {
    const { slug, config } = addRetailer();
    const order = buildOrder(slug);
    sim.injectFaults(slug, { kind: 'status_500', scope: 'any' });
    expect(await adapter.lookup!(order, context(config))).toMatchObject({
      kind: 'unknown',
      reason: expect.stringContaining('500'),
    });
    sim.injectFaults(slug, { kind: 'timeout', scope: 'any' });
    expect(await adapter.lookup!(order, context({ ...config, timeoutMs: 200 }))).toMatchObject({ kind: 'unknown' });
    const dead = { ...config, baseUrl: 'http://127.0.0.1:1/retailers/nobody' };
    expect(await adapter.lookup!(order, context(dead))).toMatchObject({
      kind: 'unknown',
      reason: expect.stringContaining('connection failed'),
    });
    expect(await adapter.lookup!(order, context({ apiKey: 'x' }))).toMatchObject({ kind: 'unknown' });
  });

  it('answers placed with the retailer order, not_placed when the retailer has none, unknown when it cannot be asked', async () => {
    const { slug, config } = addRetailer();
    const order = buildOrder(slug);
    expect(await adapter.lookup!(order, context(config))).toEqual({
      kind: 'not_placed',
      evidence: `GET /orders?externalReference=${order.orderNumber} answered an empty list`,
    });

    const placed = (await adapter.place(order, context(config))) as PlacementResult;
    expect(await adapter.lookup!(order, context(config))).toMatchObject({
      kind: 'placed',
      result: {
        storeOrderNumber: placed.storeOrderNumber,
        retailerTotalCents: placed.retailerTotalCents,
        details: expect.objectContaining({ recoveredByLookup: true }),
      },
    });
    expect(await adapter.lookup!(order, context({ ...config, baseUrl: 'http://127.0.0.1:9' }))).toMatchObject({
      kind: 'unknown',
      reason: expect.stringMatching(/connection failed/),
    });
    expect(sim.stats(slug)).toMatchObject({ orderCreations: 1 });
  });
});

describe('api adapter validateConfig', () => {
  it.each([
    ['a complete config', { baseUrl: 'https://retailer.example/api', apiKey: 'k', timeoutMs: 5000 }, []],
    ['no timeoutMs (defaults)', { baseUrl: 'http://127.0.0.1:1/retailers/acme', apiKey: 'k' }, []],
    ['nothing', {}, ['baseUrl', 'apiKey']],
    ['an ftp baseUrl', { baseUrl: 'ftp://retailer.example', apiKey: 'k' }, ['baseUrl']],
    ['a blank apiKey', { baseUrl: 'https://retailer.example', apiKey: '  ' }, ['apiKey']],
    ['a fractional timeoutMs', { baseUrl: 'https://retailer.example', apiKey: 'k', timeoutMs: 150.5 }, ['timeoutMs']],
    ['a timeoutMs below 100', { baseUrl: 'https://retailer.example', apiKey: 'k', timeoutMs: 99 }, ['timeoutMs']],
    [
      'a timeoutMs above 120000',
      { baseUrl: 'https://retailer.example', apiKey: 'k', timeoutMs: 120_001 },
      ['timeoutMs'],
    ],
    ['not an object', 'https://retailer.example', ['config']],
  ])('with %s, reports the bad fields', (_name, config, fields) => {
    expect(Object.keys(adapter.validateConfig(config)).sort()).toEqual([...fields].sort());
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2030-01-01T00:00:00Z');

  it('reads delta-seconds and HTTP dates, and ignores nonsense', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Mon, 31 Dec 2029 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('retailer API simulator over HTTP', () => {
  it('is steered through /_sim from another process alike: retailer, stock, faults and stats', async () => {
    const remote = connectRetailerApiSimulator(sim.url);
    const { baseUrl } = await remote.addRetailer('remote-shop', {
      apiKey: API_KEY,
      catalog: { TEE: { priceCents: 2500, stock: 10 } },
      taxBasisPoints: 825,
      shippingCents: 599,
    });
    const config = { baseUrl, apiKey: API_KEY };
    await remote.setStock('remote-shop', 'TEE', 2);
    await remote.injectFaults('remote-shop', { kind: 'status_503', scope: 'any', count: 1 });

    const unavailable = await failureOf(adapter.place(buildOrder('remote-shop'), context(config)));
    expect(unavailable).toBeInstanceOf(TransientPlacementError);
    await adapter.place(buildOrder('remote-shop'), context(config));
    const soldOut = await failureOf(adapter.place(buildOrder('remote-shop'), context(config)));

    expect(soldOut).toMatchObject({ code: 'out_of_stock' });
    expect(await remote.orders('remote-shop')).toHaveLength(1);
    expect(await remote.stats('remote-shop')).toMatchObject({
      quotes: 3,
      orderRequests: 2,
      orderCreations: 1,
      orderRejections: 1,
      faultsServed: 1,
    });
  });

  it('answers bad control calls with 400 naming the fields, and unknown retailers with 404', async () => {
    const badRetailer = await fetch(`${sim.url}/_sim/retailers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ slug: 'Not A Slug', catalog: { X: { priceCents: -1 } } }),
    });
    expect(badRetailer.status).toBe(400);
    const { fields } = await badRetailer.json();
    expect(Object.keys(fields)).toEqual(expect.arrayContaining(['slug', 'apiKey', 'catalog.X.priceCents']));

    const unknown = await fetch(`${sim.url}/_sim/retailers/no-such-shop/stats`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'retailer_not_found' });
  });

  it('speaks the protocol: 401 without the key, 400 for a malformed order, lookups by reference', async () => {
    const { slug } = addRetailer();
    const base = sim.baseUrlFor(slug);
    const auth = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };

    const anonymous = await fetch(`${base}/orders`, { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ code: 'unauthorized' });

    const malformed = await fetch(`${base}/orders`, { method: 'POST', headers: auth, body: '{"items":"nope"}' });
    expect(malformed.status).toBe(400);

    const lookup = await fetch(`${base}/orders?externalReference=MO-NOTHING000`, { headers: auth });
    expect(await lookup.json()).toEqual({ orders: [] });
  });
});
