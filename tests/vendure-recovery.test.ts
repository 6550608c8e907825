import { spawn } from 'node:child_process';
import path from 'node:path';
import { startDelayingProxy, callsField, type DelayingProxy } from './support/delaying-proxy';
import { REDIS_URL, startPlacementHarness, waitFor, type PlacementHarness } from './support/placement-harness';
import { usePlatform } from './support/test-platforms';
import { TEST_JWT_SECRET } from './support/tokens';
import { vendureAdmin, type VendureAdmin } from './support/vendure-admin';
import { createVendureStore } from './support/vendure-store';
import type { VendurePlatform } from './platforms/vendure/start';

let h: PlacementHarness;
let platform: Omit<VendurePlatform, 'stop'>;
let release: () => Promise<void>;
let vendure: VendureAdmin;
let proxy: DelayingProxy;

beforeAll(async () => {
  ({ platform, release } = await usePlatform('vendure'));
  vendure = vendureAdmin(platform);
  // A real loopback proxy in front of Vendure's Shop API: the tests hold or slow down what our worker sends.
  proxy = await startDelayingProxy(new URL(platform.shopApiUrl).origin);
  // BullMQ's default prefix, because src/worker.ts (spawned below) uses it; the queue name alone is unique.
  h = await startPlacementHarness({ prefix: 'bull', startWorker: false });
}, 180_000);
afterEach(() => proxy.clearRules());
afterAll(async () => {
  await h?.close();
  await proxy?.close();
  await release?.();
});

/** `npm run worker`'s entry point in its own process group, as a deployment runs it. */
function spawnWorkerProcess() {
  const child = spawn('npx', ['tsx', 'src/worker.ts'], {
    cwd: path.resolve(__dirname, '..'),
    env: {
      ...process.env,
      DATABASE_URL: h.database.url,
      REDIS_URL,
      PLACEMENT_QUEUE_NAME: h.queueName,
      STRIPE_SECRET_KEY: 'sk_test_x',
      STRIPE_API_URL: h.stripe.url,
      JWT_SECRET: TEST_JWT_SECRET,
      WORKER_LOCK_MS: '2000',
      WORKER_STALLED_CHECK_MS: '1000',
      LOG_LEVEL: 'warn',
    },
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    stderr: () => stderr,
    /** SIGKILL to the whole group (npx, tsx, the worker): no shutdown handler runs. */
    async kill() {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
      await exited;
    },
  };
}

async function withDeadline<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(what())), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

const placedAtVendure = (orders: { orderPlacedAt: string | null }[]) =>
  orders.filter((order) => order.orderPlacedAt !== null);
const recordOf = async (orderNumber: string) =>
  (await h.database.db('platform_checkouts').where({ order_number: orderNumber, platform: 'vendure' }).first())?.data;

describe('a worker killed mid-purchase at Vendure', () => {
  it('when the worker dies after Vendure created the order and before it was paid, then after recovery Vendure holds exactly one paid order, the same one', async () => {
    const shop = await createVendureStore(h, platform, vendure, 'vnd-kill', { shopApiUrl: `${proxy.url}/shop-api` });
    const checkout = await h.checkout('vnd-kill-shopper', [{ storeSlug: shop.slug, sku: shop.skus[0]!, quantity: 3 }]);
    const { orderNumber, totalCents } = checkout.orders[0]!;
    // The payment never reaches Vendure while the worker lives.
    proxy.addRule({ match: callsField('addPaymentToOrder'), hold: true, times: 1 });
    const paying = proxy.seen(callsField('addPaymentToOrder'));

    const worker = spawnWorkerProcess();
    try {
      await withDeadline(
        paying,
        60_000,
        () => `the worker sent no payment within 60 s; its stderr: ${worker.stderr()}`,
      );
    } finally {
      await worker.kill();
    }
    proxy.dropHeld();

    // Vendure created the order (we recorded its code and session first); nobody paid it; we do not know more.
    const started = await recordOf(orderNumber);
    expect(started).toMatchObject({ code: expect.any(String), token: expect.any(String), state: 'paying' });
    const before = await vendure.ordersByReference(orderNumber);
    expect(before.map((order) => [order.code, order.orderPlacedAt])).toEqual([[started.code, null]]);
    expect(await h.order(orderNumber)).toMatchObject({ status: 'placing', storeOrderNumber: null });

    await h.startWorker({ lockDurationMs: 2000, stalledIntervalMs: 1000 });
    const placed = await h.waitForStatus(orderNumber, 'placed', 45_000);

    const after = await vendure.ordersByReference(orderNumber);
    expect(after.map((order) => order.code)).toEqual([started.code]);
    expect(placedAtVendure(after)).toHaveLength(1);
    expect(after[0]).toMatchObject({
      totalWithTax: totalCents,
      lines: [expect.objectContaining({ quantity: 3 })],
      payments: [expect.objectContaining({ state: 'Settled' })],
    });
    expect(placed.storeOrderNumber).toBe(started.code);
    await h.stopWorker();
  }, 120_000);
});

describe('a slow Vendure', () => {
  it('when Vendure answers the payment only after our timeout, then the retry finds or finishes the same order and Vendure holds exactly one paid order', async () => {
    await h.startWorker();
    const shop = await createVendureStore(h, platform, vendure, 'vnd-slow', {
      shopApiUrl: `${proxy.url}/shop-api`,
      timeoutMs: 1500,
    });
    // The first payment sits in the proxy past our timeout before Vendure even sees it; every call is a little slow.
    proxy.addRule({ match: callsField('addPaymentToOrder'), delayRequestMs: 3000, times: 1 });
    proxy.addRule({ match: () => true, delayResponseMs: 100 });
    const checkout = await h.checkout('vnd-slow-shopper', [{ storeSlug: shop.slug, sku: shop.skus[0]! }]);
    const { orderNumber, totalCents } = checkout.orders[0]!;

    const placed = await h.waitForStatus(orderNumber, 'placed', 45_000);
    // The slowed first payment reaches Vendure too, whenever it does, before anything is counted.
    await waitFor(async () => proxy.inFlight() === 0, 15_000, 'every request through the proxy answered');

    const atVendure = await vendure.ordersByReference(orderNumber);
    expect(atVendure).toHaveLength(1);
    expect(placedAtVendure(atVendure)).toHaveLength(1);
    expect(atVendure[0]).toMatchObject({ code: placed.storeOrderNumber, totalWithTax: totalCents });
    expect(atVendure[0]!.payments.filter((payment) => payment.state === 'Settled')).toHaveLength(1);
    const outcomes = (await h.attemptsOf(orderNumber)).map((attempt) => attempt.outcome);
    expect(outcomes[0]).toBe('transient_error');
    expect(outcomes.at(-1)).toBe('placed');
  }, 90_000);
});
