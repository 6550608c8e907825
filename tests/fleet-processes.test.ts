import { randomBytes } from 'node:crypto';
import type { RetailerApiSimulator } from '../src/sandbox/retailer-api';
import type { StripeSandbox } from '../src/sandbox/stripe';
import {
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
import { waitFor } from './support/wait-for';

/**
 * Past one machine: two API processes and two placement workers (real processes: `src/server.ts`, `src/worker.ts`)
 * on one Postgres database and one Redis queue prefix. Shoppers check out through either API, some sessions are
 * placed through both APIs at once, and in the end every checkout has exactly one charge (our ledger and the Stripe
 * sandbox agree) and every store order exactly one order at its retailer (the simulator's record).
 */
const JWT_SECRET = 'fleet-processes-secret-0123456789';
const STORES = [
  { slug: 'north', latencyMs: 20, priceCents: 1500 },
  { slug: 'south', latencyMs: 60, priceCents: 2500 },
  { slug: 'east', latencyMs: 120, priceCents: 3500 },
] as const;
const CHECKOUTS = 16;

let database: TestDatabase;
let stripe: StripeSandbox;
let simulator: RetailerApiSimulator;
const queueName = `fleet-${randomBytes(5).toString('hex')}`;
const processes: FleetProcess[] = [];

const env = (extra: Record<string, string> = {}) => ({
  ...fleetEnv({ database, stripe, simulator }, queueName, JWT_SECRET),
  CATALOG_SYNC_INTERVAL_MINUTES: '0',
  ...extra,
});

beforeAll(async () => {
  ({ database, stripe, simulator } = await startFleetParties());
}, 60_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.kill()));
  await stopFleetParties({ database, stripe, simulator }, queueName);
}, 60_000);

async function call(
  api: FleetProcess,
  method: string,
  path: string,
  user: string,
  role: 'shopper' | 'admin',
  body?: object,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${api.url}/api/v1${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${tokenFor(user, role, JWT_SECRET)}`,
      'Content-Type': 'application/json',
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json().catch(() => ({})) };
}

/** Place until it answers for good: 409 means the other API holds the session (or the key) right now. */
async function place(api: FleetProcess, shopper: string, sessionId: string, key: string) {
  return waitFor(
    async () => {
      const res = await call(api, 'POST', `/checkout/sessions/${sessionId}/place`, shopper, 'shopper', undefined, {
        'Idempotency-Key': key,
      });
      return res.status === 409 ? undefined : res;
    },
    30_000,
    `place ${sessionId} through ${api.name}`,
  );
}

/** Cart to a payable session through one API; then place through it, or through both at once (`race`). */
async function checkout(
  apis: [FleetProcess, FleetProcess],
  shopper: string,
  slugs: string[],
  race: 'none' | 'same_key' | 'own_keys',
): Promise<string> {
  const [first, second] = apis;
  for (const slug of slugs)
    expect(
      (await call(first, 'POST', '/cart/items', shopper, 'shopper', { storeSlug: slug, sku: 'KIT', quantity: 1 }))
        .status,
    ).toBe(201);
  const sessionId = (await call(second, 'POST', '/checkout/sessions', shopper, 'shopper')).body.data
    .sessionId as string;
  expect(
    (await call(first, 'PUT', `/checkout/sessions/${sessionId}/shipping`, shopper, 'shopper', FLEET_ADDRESS)).status,
  ).toBe(200);
  expect(
    (
      await call(second, 'PUT', `/checkout/sessions/${sessionId}/payment`, shopper, 'shopper', {
        paymentMethodId: 'pm_card_visa',
      })
    ).status,
  ).toBe(200);
  if (race === 'none') {
    expect((await place(first, shopper, sessionId, `place-${shopper}`)).status).toBe(201);
    return sessionId;
  }
  const answers = await Promise.all(
    apis.map((api, i) =>
      place(api, shopper, sessionId, race === 'same_key' ? `place-${shopper}` : `place-${shopper}-${i}`),
    ),
  );
  // One place took the session; the other replayed its answer (same key) or found it placed already.
  expect(answers.filter((answer) => answer.status === 201).length).toBeGreaterThanOrEqual(1);
  for (const answer of answers) if (answer.status !== 201) expect(answer.status).toBeLessThan(500);
  return sessionId;
}

describe('two API processes and two workers on one database and queue', () => {
  it('charges every checkout once and buys every store order once at its retailer', async () => {
    const apis = (await Promise.all([startApiProcess('api-1', env()), startApiProcess('api-2', env())])) as [
      FleetProcess,
      FleetProcess,
    ];
    processes.push(...apis);
    await seedFleetStores(simulator, STORES, (method, path, body) =>
      call(apis[0]!, method, path, 'admin', 'admin', body),
    );
    // One worker takes every method's queue, the other only api's (`--methods api` as PLACEMENT_METHODS).
    processes.push(
      ...(await Promise.all([
        startWorkerProcess('worker-1', env()),
        startWorkerProcess('worker-2', env({ PLACEMENT_METHODS: 'api' })),
      ])),
    );

    const sessions = await Promise.all(
      [0, 1, 2, 3].map(async (lane) => {
        const mine: string[] = [];
        for (let i = lane; i < CHECKOUTS; i += 4) {
          const slugs = STORES.map((s) => s.slug).filter((_, s) => (i + s) % 3 !== 0 || s === i % 3);
          const order: [FleetProcess, FleetProcess] = i % 2 === 0 ? apis : [apis[1], apis[0]];
          mine.push(
            await checkout(
              order,
              `fleet-shopper-${i}`,
              slugs,
              i % 4 === 1 ? 'same_key' : i % 4 === 3 ? 'own_keys' : 'none',
            ),
          );
        }
        return mine;
      }),
    ).then((lanes) => lanes.flat());
    expect(sessions).toHaveLength(CHECKOUTS);

    await waitFor(
      async () => {
        const open = await database
          .db('checkout_sessions')
          .whereIn('id', sessions)
          .whereNot({ status: 'completed' })
          .count<{ count: string }[]>('* as count');
        return Number(open[0]!.count) === 0;
      },
      90_000,
      'every checkout completed',
    );

    // One charge per checkout, in our ledger and at Stripe.
    const intents = stripe.paymentIntents();
    for (const sessionId of sessions) {
      expect(
        await database
          .db('payment_transactions')
          .where({ checkout_session_id: sessionId, type: 'charge', status: 'succeeded' }),
      ).toHaveLength(1);
      expect(intents.filter((pi) => pi.metadata.checkout_session_id === sessionId)).toHaveLength(1);
    }
    expect(intents).toHaveLength(CHECKOUTS);

    // One retailer order per store order, each ours and placed with the retailer's number.
    const orders = await database.db('orders').whereIn('checkout_session_id', sessions);
    for (const { slug } of STORES) {
      const ours = orders.filter(
        (order) =>
          order.store_order_number && simulator.orders(slug).some((o) => o.orderNumber === order.store_order_number),
      );
      const references = simulator.orders(slug).map((o) => o.externalReference);
      expect(new Set(references).size).toBe(references.length);
      expect(references.sort()).toEqual(ours.map((order) => order.order_number).sort());
    }
    expect(orders.every((order) => order.status === 'placed')).toBe(true);
    expect(STORES.reduce((sum, { slug }) => sum + simulator.orders(slug).length, 0)).toBe(orders.length);
  }, 240_000);
});
