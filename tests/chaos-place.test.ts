import { startStripeSandbox, type StripeSandbox } from '../src/sandbox/stripe';
import { startServiceProcess, type ServiceProcess } from './support/service-process';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { tokenFor } from './support/tokens';

const JWT_SECRET = 'chaos-test-secret-0123456789';
let database: TestDatabase;
let stripe: StripeSandbox;
const processes: ServiceProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase(2);
  stripe = await startStripeSandbox();
});
afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await stripe.stop();
  await database.drop();
});

const env = (extra: Record<string, string> = {}) => ({
  DATABASE_URL: database.url,
  STRIPE_SECRET_KEY: 'sk_test_chaos',
  STRIPE_API_URL: stripe.url,
  JWT_SECRET,
  PLACE_LEASE_SECONDS: '1',
  ...extra,
});

async function call(
  service: ServiceProcess,
  method: string,
  path: string,
  user: string,
  role: 'shopper' | 'admin',
  body?: object,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${service.url}/api/v1${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${tokenFor(user, role, JWT_SECRET)}`,
      'Content-Type': 'application/json',
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json() };
}

async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Two manual stores with one product each (created once), and a shopper's session ready to place, through `service`. */
let storesMade = false;
async function sessionReadyToPlace(service: ServiceProcess, shopper: string): Promise<string> {
  for (const slug of ['north', 'south']) {
    if (!storesMade) {
      expect(
        (
          await call(service, 'POST', '/admin/stores', 'admin', 'admin', {
            slug,
            name: `${slug} shop`,
            placementMethod: 'manual',
          })
        ).status,
      ).toBe(201);
      expect(
        (
          await call(service, 'PUT', '/admin/products', 'admin', 'admin', {
            storeSlug: slug,
            sku: 'KIT',
            name: 'Kit',
            priceCents: 2500,
          })
        ).status,
      ).toBe(201);
    }
    expect(
      (await call(service, 'POST', '/cart/items', shopper, 'shopper', { storeSlug: slug, sku: 'KIT', quantity: 1 }))
        .status,
    ).toBe(201);
  }
  storesMade = true;
  const { body: created } = await call(service, 'POST', '/checkout/sessions', shopper, 'shopper');
  const sessionId = created.data.sessionId;
  await call(service, 'PUT', `/checkout/sessions/${sessionId}/shipping`, shopper, 'shopper', {
    name: 'Ada Lovelace',
    address1: '1 Market St',
    city: 'Austin',
    state: 'TX',
    zip: '78701',
    country: 'US',
    phone: '5125550100',
  });
  await call(service, 'PUT', `/checkout/sessions/${sessionId}/payment`, shopper, 'shopper', {
    paymentMethodId: 'pm_card_visa',
  });
  return sessionId;
}

describe('a real crash at every step of place', () => {
  it.each([
    ['place.before_charge', 'before the charge'],
    ['place.after_charge', 'right after the charge'],
    ['place.after_orders', 'after the orders were written, before they were queued'],
  ])(
    'when the process is killed at %s (%s), the next process finishes the checkout: one payment, each order placed once',
    async (crashAt) => {
      const shopper = `shopper-${crashAt}`;
      const key = `chaos-${crashAt}`;
      const before = stripe.stats().paymentIntentsCreated;
      const doomed = await startServiceProcess(env({ CHAOS_CRASH_AT: crashAt }));
      processes.push(doomed);
      const sessionId = await sessionReadyToPlace(doomed, shopper);

      await expect(
        call(doomed, 'POST', `/checkout/sessions/${sessionId}/place`, shopper, 'shopper', undefined, {
          'Idempotency-Key': key,
        }),
      ).rejects.toThrow();
      // tsx runs node as a child: the wrapper reports the SIGKILL as exit code 128 + 9.
      expect(['SIGKILL', 137]).toContain(await doomed.exited);

      // A fresh process: its maintenance loop finishes the place once the dead holder's lease has run out, and sends
      // orders whose enqueue was lost to placement, where each opens one task for the ops team.
      const survivor = await startServiceProcess(env());
      processes.push(survivor);
      const orders = await waitFor(async () => {
        const rows = await database.db('orders').where({ checkout_session_id: sessionId });
        return rows.length === 2 ? rows : null;
      });
      const charges = await database
        .db('payment_transactions')
        .where({ checkout_session_id: sessionId, type: 'charge' });
      expect(charges).toEqual([
        expect.objectContaining({
          status: 'succeeded',
          amount_cents: orders.reduce((sum, o) => sum + o.total_cents, 0),
        }),
      ]);
      expect(stripe.stats().paymentIntentsCreated - before).toBe(1);

      // The shopper's retry with the same key: "in progress" while the dead request's key is locked, then the
      // placed checkout, still with one payment.
      const retried = await waitFor(async () => {
        const res = await call(
          survivor,
          'POST',
          `/checkout/sessions/${sessionId}/place`,
          shopper,
          'shopper',
          undefined,
          { 'Idempotency-Key': key },
        );
        if (res.status === 409) expect(res.body.error.code).toBe('request_in_progress');
        return res.status === 201 ? res : null;
      });
      expect(retried.body.data).toMatchObject({
        checkoutSessionId: sessionId,
        paymentIntentId: charges[0].stripe_payment_intent_id,
        summary: { totalOrders: 2 },
      });

      const tasks = await waitFor(async () => {
        const rows = await database.db('ops_tasks').whereIn(
          'order_id',
          orders.map((o) => o.id),
        );
        return rows.length === 2 ? rows : null;
      }, 60_000);
      expect(tasks.map((task) => task.kind)).toEqual(['place_order', 'place_order']);
      expect(stripe.stats().paymentIntentsCreated - before).toBe(1);
      await Promise.all([survivor.stop(), doomed.stop()]);
    },
    120_000,
  );
});
