import { randomBytes } from 'node:crypto';
import type { RetailerApiSimulator } from '../src/sandbox/retailer-api';
import type { StripeSandbox } from '../src/sandbox/stripe';
import {
  seededRandom,
  FLEET_ADDRESS,
  fleetEnv,
  seedFleetStores,
  startApiProcess,
  startFleetParties,
  startWorkerProcess,
  stopFleetParties,
  type FleetProcess,
} from './support/chaos-fleet';
import type { TestDatabase } from './support/test-database';
import { tokenFor } from './support/tokens';

/**
 * Checkouts under repeated SIGKILL of the API and the placement workers, then the money and purchase invariants
 * read from Postgres, the Stripe sandbox and the retailer simulator. Seeded (CHAOS_SEED) and bounded in time.
 */
const SEED = Number(process.env.CHAOS_SEED ?? 16);
const CHAOS_WINDOW_MS = Number(process.env.CHAOS_WINDOW_MS ?? 15_000);
const CHECKOUTS = 15;
const JWT_SECRET = 'chaos-placement-secret-0123456789';
const STORES = [
  { slug: 'steady', latencyMs: 30, priceCents: 1500 },
  { slug: 'flaky', latencyMs: 80, priceCents: 2500 },
  // 1.5 s per request: a first try (quote + create) takes 3 s, so kills land in the middle of it.
  { slug: 'slow', latencyMs: 1_500, priceCents: 3500 },
] as const;
const FINAL = ['placed', 'confirmed', 'shipped', 'delivered', 'failed', 'cancelled', 'refunded', 'partially_refunded'];

let database: TestDatabase;
let stripe: StripeSandbox;
let simulator: RetailerApiSimulator;
const queueName = `chaos-${randomBytes(5).toString('hex')}`;
const random = seededRandom(SEED);
let api: FleetProcess | undefined;
const workers: (FleetProcess | undefined)[] = [undefined, undefined];
const retired: FleetProcess[] = [];

const env = (extra: Record<string, string> = {}) => ({
  ...fleetEnv({ database, stripe, simulator }, queueName, JWT_SECRET),
  PLACE_LEASE_SECONDS: '1',
  WORKER_LOCK_MS: '2000',
  WORKER_STALLED_CHECK_MS: '1000',
  WORKER_HEARTBEAT_MS: '500',
  ...extra,
});

beforeAll(async () => {
  ({ database, stripe, simulator } = await startFleetParties());
}, 60_000);

afterAll(async () => {
  await Promise.all([api, ...workers, ...retired].map((p) => p?.kill()));
  await stopFleetParties({ database, stripe, simulator }, queueName);
}, 60_000);

async function restartApi(): Promise<void> {
  const old = api;
  api = undefined;
  await old?.kill();
  api = await startApiProcess('api', env());
}

async function restartWorker(index: number, extra: Record<string, string> = {}): Promise<void> {
  await workers[index]?.kill();
  workers[index] = await startWorkerProcess(`worker-${index}`, env(extra));
}

/** One API call through whichever API process is up; a dead or restarting API is waited for, as a shopper app would. */
async function call(
  method: string,
  path: string,
  user: string,
  role: 'shopper' | 'admin',
  body?: object,
  headers: Record<string, string> = {},
) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const url = api?.url;
    if (url) {
      try {
        const res = await fetch(`${url}/api/v1${path}`, {
          method,
          headers: {
            Authorization: `Bearer ${tokenFor(user, role, JWT_SECRET)}`,
            'Content-Type': 'application/json',
            ...headers,
          },
          body: body ? JSON.stringify(body) : undefined,
        });
        const json = await res.json().catch(() => ({}));
        if (res.status < 500 && res.status !== 409) return { status: res.status, body: json };
      } catch {
        // Killed mid-request: ask again.
      }
    }
    if (Date.now() > deadline) throw new Error(`${method} ${path}: no answer for a minute`);
    await sleep(150);
  }
}

/** A shopper's checkout from cart to place; returns the session id (place retried with the same key until it answers). */
async function checkout(shopper: string, slugs: string[]): Promise<string> {
  for (const slug of slugs)
    await call('POST', '/cart/items', shopper, 'shopper', { storeSlug: slug, sku: 'KIT', quantity: 1 });
  const created = await call('POST', '/checkout/sessions', shopper, 'shopper');
  const sessionId = created.body.data.sessionId as string;
  await call('PUT', `/checkout/sessions/${sessionId}/shipping`, shopper, 'shopper', FLEET_ADDRESS);
  await call('PUT', `/checkout/sessions/${sessionId}/payment`, shopper, 'shopper', { paymentMethodId: 'pm_card_visa' });
  const placed = await call('POST', `/checkout/sessions/${sessionId}/place`, shopper, 'shopper', undefined, {
    'Idempotency-Key': `chaos-${shopper}`,
  });
  expect(placed.status).toBe(201);
  return sessionId;
}

/** Quiet: every order final or with people (placing by hand with a live task), every checkout settled, no refund pending. */
async function quiet(): Promise<boolean> {
  const { rows } = await database.db.raw(
    `
    SELECT
      (SELECT count(*) FROM orders o WHERE o.status <> ALL(?::text[])
         AND NOT (o.status = 'placing' AND o.placement_method = 'manual'
                  AND EXISTS (SELECT 1 FROM ops_tasks t WHERE t.order_id = o.id AND t.status IN ('open', 'claimed'))))::int AS open_orders,
      (SELECT count(*) FROM checkout_sessions cs WHERE cs.status IN ('processing', 'placed'))::int AS open_sessions,
      (SELECT count(*) FROM payment_transactions p WHERE p.status = 'pending')::int AS pending_money`,
    [FINAL],
  );
  const [counts] = rows;
  return counts.open_orders === 0 && counts.open_sessions === 0 && counts.pending_money === 0;
}

async function waitUntil(what: string, probe: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('placement under repeated SIGKILL of the API and the workers', () => {
  it(`keeps every invariant and quiesces within a minute of the last kill (seed ${SEED})`, async () => {
    const startedAt = Date.now();
    await restartApi();
    await seedFleetStores(simulator, STORES, (method, path, body) => call(method, path, 'admin', 'admin', body));
    simulator.injectFaults('flaky', { kind: 'create_then_500', count: 6 });
    simulator.injectFaults('flaky', { kind: 'status_503', count: 4 });
    // One worker while the slow order is killed: the job cannot escape to a worker that is left alone.
    await restartWorker(0);

    // The slow retailer, its worker killed three times on the same order: once after the order reached the retailer,
    // then twice during the retry's lookup. The give-up asks the retailer, which has the order: placed, not refunded.
    const slowSession = await checkout('slow-shopper', ['slow']);
    const slowStats = () => simulator.stats('slow');
    for (const [label, reached] of [
      ['the create reached the retailer', () => slowStats().orderRequests >= 1],
      ['the first retry is looking it up', () => slowStats().lookups >= 1],
      ['the second retry is looking it up', () => slowStats().lookups >= 2],
    ] as const) {
      await waitUntil(label, reached, 30_000);
      await restartWorker(0);
    }
    const [slowOrder] = await database.db('orders').where({ checkout_session_id: slowSession });
    await waitUntil(
      'the slow order to settle',
      async () => FINAL.includes((await database.db('orders').where({ id: slowOrder.id }).first()).status),
      40_000,
    );
    const slowFinal = await database.db('orders').where({ id: slowOrder.id }).first();
    console.log(`chaos: the slow order settled ${Date.now() - startedAt} ms into the test`);
    const [retailerOrder, ...twice] = simulator.orders('slow');
    expect(twice).toEqual([]);
    expect(slowFinal).toMatchObject({ status: 'placed', store_order_number: retailerOrder!.orderNumber });
    const slowHistory = await database.db('order_status_history').where({ order_id: slowOrder.id }).orderBy('id');
    expect(slowHistory.at(-1).reason).toMatch(
      /found at the retailer when about to give up \(retries exhausted: its workers died 3 times/,
    );

    // Checkouts across the three retailers while the API and the workers are killed at seeded moments. Some worker
    // lives carry a crashpoint between an order's final move and its checkout's settle.
    await restartWorker(1);
    const chaosEnds = Date.now() + CHAOS_WINDOW_MS;
    let kills = 0;
    let lastKillAt = Date.now();
    const killer = (async () => {
      while (Date.now() < chaosEnds) {
        await sleep(800 + random() * 1_700);
        const victim = random();
        if (victim < 0.25) await restartApi();
        else
          await restartWorker(
            victim < 0.625 ? 0 : 1,
            random() < 0.3 ? { CHAOS_CRASH_AT: 'placement.before_settle' } : {},
          );
        kills += 1;
        lastKillAt = Date.now();
      }
    })();
    const plans = Array.from({ length: CHECKOUTS }, (_, i) => ({
      shopper: `chaos-shopper-${i}`,
      slugs: STORES.map((s) => s.slug).filter((slug) => (slug === 'slow' ? random() < 0.25 : random() < 0.7)),
    })).map((plan) => (plan.slugs.length > 0 ? plan : { ...plan, slugs: ['steady'] }));
    const sessions: string[] = [slowSession];
    const shoppers = [0, 1, 2].map(async (lane) => {
      for (let i = lane; i < plans.length; i += 3) sessions.push(await checkout(plans[i]!.shopper, plans[i]!.slugs));
    });
    await Promise.all([killer, ...shoppers]);

    // The last kill is behind us: a clean fleet, and the clock runs until everything is final.
    await Promise.all([restartWorker(0), restartWorker(1)]);
    const quietFrom = lastKillAt;
    await waitUntil('quiescence', quiet, 60_000);
    const quiescenceMs = Date.now() - quietFrom;
    console.log(
      `chaos seed ${SEED}: ${sessions.length} checkouts, ${kills} kills in ${CHAOS_WINDOW_MS} ms; quiet ${quiescenceMs} ms after the last kill`,
    );

    // One payment per checkout, for its total.
    const intents = stripe.paymentIntents();
    for (const sessionId of sessions) {
      const charges = await database
        .db('payment_transactions')
        .where({ checkout_session_id: sessionId, type: 'charge', status: 'succeeded' });
      expect(charges).toHaveLength(1);
      expect(intents.filter((pi) => pi.metadata.checkout_session_id === sessionId)).toHaveLength(1);
    }
    expect(intents).toHaveLength(sessions.length);

    // One retailer order per store order, and each order the retailer holds is ours, placed (or with people).
    const orders = await database.db('orders').whereIn('checkout_session_id', sessions);
    const byNumber = new Map(orders.map((o) => [o.order_number, o]));
    const held = new Set<string>();
    for (const { slug } of STORES) {
      const references = simulator.orders(slug).map((o) => o.externalReference);
      expect(new Set(references).size).toBe(references.length);
      for (const retailerOrder of simulator.orders(slug)) {
        const ours = byNumber.get(retailerOrder.externalReference);
        expect(ours).toBeDefined();
        held.add(ours!.order_number);
        if (ours!.status !== 'placing')
          expect(ours).toMatchObject({ status: 'placed', store_order_number: retailerOrder.orderNumber });
      }
    }

    // No order refunded that the retailer holds.
    const refunded = await database
      .db('payment_transactions')
      .whereIn('type', ['refund', 'partial_refund'])
      .whereNotNull('order_id')
      .select('order_id');
    const refundedNumbers = orders.filter((o) => refunded.some((r) => r.order_id === o.id)).map((o) => o.order_number);
    expect(refundedNumbers.filter((number) => held.has(number))).toEqual([]);

    // The ledger equals the sandbox to the cent.
    const ledger = await database
      .db('payment_transactions')
      .where({ status: 'succeeded' })
      .select('type', 'amount_cents');
    const net = ledger.reduce(
      (sum, row) =>
        sum +
        (row.type === 'charge' || row.type === 'capture'
          ? row.amount_cents
          : row.type.includes('refund')
            ? -row.amount_cents
            : 0),
      0,
    );
    const refundsAtStripe = await fetch(`${stripe.url}/v1/refunds?limit=100`, {
      headers: { Authorization: 'Bearer sk_test_chaos' },
    }).then((res) => res.json());
    const refundedAtStripe = (refundsAtStripe.data as { status: string; amount: number }[])
      .filter((r) => r.status === 'succeeded')
      .reduce((sum, r) => sum + r.amount, 0);
    expect(net).toBe(intents.reduce((sum, pi) => sum + pi.amount_received, 0) - refundedAtStripe);

    expect(quiescenceMs).toBeLessThan(60_000);
  }, 170_000);
});
