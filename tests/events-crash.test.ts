import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startStripeSandbox, type StripeSandbox } from '../src/sandbox/stripe';
import { REDIS_URL } from './support/placement-harness';
import { startServiceProcess, type ServiceProcess } from './support/service-process';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { tokenFor } from './support/tokens';
import { waitFor } from './support/wait-for';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver';

/**
 * The API is SIGKILLed right after an order's move commits, before any process could send its event (no worker is
 * running yet). The event was written with the move, so the worker started afterwards delivers it, and every
 * earlier one, once each and in order.
 */
const ROOT = path.resolve(__dirname, '..');
const JWT_SECRET = 'events-crash-secret-0123456789';
const suffix = randomBytes(4).toString('hex');
let database: TestDatabase;
let stripe: StripeSandbox;
let receiver: WebhookReceiver;
let api: ServiceProcess | undefined;
let worker: ChildProcess | undefined;

const env = () => ({
  DATABASE_URL: database.url,
  REDIS_URL,
  STRIPE_SECRET_KEY: 'sk_test_events_crash',
  STRIPE_API_URL: stripe.url,
  JWT_SECRET,
  PLACEMENT_QUEUE_NAME: `placements-crash-${suffix}`,
  EVENTS_QUEUE_NAME: `events-crash-${suffix}`,
  EVENT_RETRY_BASE_MS: '100',
});

beforeAll(async () => {
  database = await createTestDatabase(2);
  stripe = await startStripeSandbox();
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await api?.stop();
  await stopWorker();
  const redis = new Redis(REDIS_URL);
  for (const queue of [env().PLACEMENT_QUEUE_NAME, env().EVENTS_QUEUE_NAME]) {
    const keys = await redis.keys(`bull:${queue}*` /* the placement method queues sit beside the base name */);
    if (keys.length > 0) await redis.del(...keys);
  }
  await redis.quit();
  await receiver.close();
  await stripe.stop();
  await database.drop();
});

async function call(
  method: string,
  url: string,
  user: string,
  role: 'shopper' | 'ops' | 'admin',
  body?: object,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${api!.url}/api/v1${url}`, {
    method,
    headers: {
      Authorization: `Bearer ${tokenFor(user, role, JWT_SECRET)}`,
      'Content-Type': 'application/json',
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json();
  if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status} ${JSON.stringify(json)}`);
  return json.data;
}

const startWorker = () =>
  // Node itself, not the tsx command: a signal must reach the worker, not a wrapper around it.
  spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      ...env(),
    },
    stdio: 'ignore',
  });

async function stopWorker(): Promise<void> {
  if (!worker || worker.exitCode !== null || worker.signalCode !== null) return;
  const exited = new Promise((resolve) => worker!.once('exit', resolve));
  worker.kill('SIGTERM');
  await exited;
}

it('when the API dies right after an order is placed, the worker started later still delivers its event, in order', async () => {
  api = await startServiceProcess(env());
  const endpoint = await call('POST', '/admin/webhook-endpoints', 'admin', 'admin', {
    url: receiver.url,
    events: ['*'],
  });
  await call('POST', '/admin/stores', 'admin', 'admin', {
    slug: 'corner',
    name: 'Corner shop',
    placementMethod: 'manual',
  });
  await call('PUT', '/admin/products', 'admin', 'admin', {
    storeSlug: 'corner',
    sku: 'KIT',
    name: 'Kit',
    priceCents: 2500,
  });
  await call('POST', '/cart/items', 'eve', 'shopper', { storeSlug: 'corner', sku: 'KIT', quantity: 1 });
  const { sessionId } = await call('POST', '/checkout/sessions', 'eve', 'shopper');
  const address = {
    name: 'Eve',
    address1: '1 Main St',
    city: 'Austin',
    state: 'TX',
    zip: '73301',
    country: 'US',
    phone: '+15125550100',
    email: 'eve@example.com',
  };
  await call('PUT', `/checkout/sessions/${sessionId}/shipping`, 'eve', 'shopper', address);
  await call('PUT', `/checkout/sessions/${sessionId}/payment`, 'eve', 'shopper', { paymentMethodId: 'pm_card_visa' });
  const placed = await call('POST', `/checkout/sessions/${sessionId}/place`, 'eve', 'shopper', undefined, {
    'Idempotency-Key': 'eve-1',
  });
  const orderNumber = placed.orders[0].orderNumber;

  // With Redis the API only enqueues: no process sends anything until a worker runs. Kill the API now.
  const written = () =>
    database.db('outbox_events').where({ checkout_session_id: sessionId }).orderBy('seq').select('event_id', 'type');
  expect((await written()).map((row) => row.type)).toEqual(['checkout.placed']);
  api.child.kill('SIGKILL');
  await api.exited;
  expect(receiver.received).toHaveLength(0);

  worker = startWorker();
  await waitFor(async () => receiver.ofSession(sessionId).length === 1, 60_000, 'checkout.placed from the worker');

  // Again for an order's move. The worker has opened the manual task; it stops, and with no process left to send
  // anything, an ops person completes the task (order → placed) and the API dies as the answer comes back.
  api = await startServiceProcess(env());
  const task = await waitFor(
    async () => {
      const tasks = await call('GET', '/ops/tasks?status=open', 'olivia', 'ops');
      return tasks.find((t: { orderNumber: string }) => t.orderNumber === orderNumber);
    },
    30_000,
    'the manual task',
  );
  await stopWorker();
  await call('POST', `/ops/tasks/${task.taskId}/claim`, 'olivia', 'ops');
  await call('POST', `/ops/tasks/${task.taskId}/complete`, 'olivia', 'ops', { storeOrderNumber: 'CS-1' });
  api.child.kill('SIGKILL');
  await api.exited;
  api = undefined;
  expect((await written()).map((row) => row.type)).toEqual(['checkout.placed', 'order.placed', 'checkout.completed']);
  expect(receiver.ofSession(sessionId)).toHaveLength(1);
  worker = startWorker();

  const types = ['checkout.placed', 'order.placed', 'checkout.completed'];
  const events = await waitFor(
    async () => receiver.ofSession(sessionId).length >= types.length && receiver.ofSession(sessionId),
    30_000,
    'every event',
  );
  expect(events.map((event) => event.type)).toEqual(types);
  expect(events.map((event) => event.id)).toEqual((await written()).map((row) => row.event_id));
  expect(events.every((event) => receiver.verifies(event, endpoint.secret))).toBe(true);
  const mail = await waitFor(
    async () => database.db('email_deliveries').where({ to_address: 'eve@example.com' }).first(),
    10_000,
    'the confirmation mail',
  );
  expect(mail).toMatchObject({ template: 'order_confirmation', status: 'kept' });
}, 180_000);
