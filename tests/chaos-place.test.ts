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

async function call(service: ServiceProcess, method: string, path: string, user: string, role: 'shopper' | 'admin', body?: object, headers: Record<string, string> = {}) {
  const res = await fetch(`${service.url}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${tokenFor(user, role, JWT_SECRET)}`, 'Content-Type': 'application/json', ...headers },
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

describe('a real crash in the middle of place', () => {
  it('when the process is killed right after the charge, the next process writes the orders and charges nothing more', async () => {
    const doomed = await startServiceProcess(env({ CHAOS_CRASH_AT: 'place.after_charge' }));
    processes.push(doomed);
    for (const slug of ['north', 'south']) {
      expect((await call(doomed, 'POST', '/admin/stores', 'admin', 'admin', { slug, name: `${slug} shop`, placementMethod: 'manual' })).status).toBe(201);
      expect((await call(doomed, 'PUT', '/admin/products', 'admin', 'admin', { storeSlug: slug, sku: 'KIT', name: 'Kit', priceCents: 2500 })).status).toBe(201);
      expect((await call(doomed, 'POST', '/cart/items', 'shopper-1', 'shopper', { storeSlug: slug, sku: 'KIT', quantity: 1 })).status).toBe(201);
    }
    const { body: created } = await call(doomed, 'POST', '/checkout/sessions', 'shopper-1', 'shopper');
    const sessionId = created.data.sessionId;
    await call(doomed, 'PUT', `/checkout/sessions/${sessionId}/shipping`, 'shopper-1', 'shopper', {
      name: 'Ada Lovelace', address1: '1 Market St', city: 'Austin', state: 'TX', zip: '78701', country: 'US', phone: '5125550100',
    });
    await call(doomed, 'PUT', `/checkout/sessions/${sessionId}/payment`, 'shopper-1', 'shopper', { paymentMethodId: 'pm_card_visa' });

    await expect(call(doomed, 'POST', `/checkout/sessions/${sessionId}/place`, 'shopper-1', 'shopper', undefined, { 'Idempotency-Key': 'chaos-1' })).rejects.toThrow();
    // tsx runs node as a child: the wrapper reports the SIGKILL as exit code 128 + 9.
    expect(['SIGKILL', 137]).toContain(await doomed.exited);
    expect(stripe.stats().paymentIntentsCreated).toBe(1);
    expect(await database.db('orders').where({ checkout_session_id: sessionId })).toHaveLength(0);
    expect((await database.db('checkout_sessions').where({ id: sessionId }).first()).status).toBe('processing');

    // A fresh process: its maintenance loop finds the session once the dead holder's lease has run out.
    const survivor = await startServiceProcess(env());
    processes.push(survivor);
    const orders = await waitFor(async () => {
      const rows = await database.db('orders').where({ checkout_session_id: sessionId });
      return rows.length === 2 ? rows : null;
    });
    expect(stripe.stats().paymentIntentsCreated).toBe(1);
    const charges = await database.db('payment_transactions').where({ checkout_session_id: sessionId, type: 'charge' });
    expect(charges).toEqual([expect.objectContaining({ status: 'succeeded', amount_cents: orders.reduce((sum, o) => sum + o.total_cents, 0) })]);

    // The shopper's retry with the same key: "in progress" while the dead request's key is locked, then the
    // placed checkout, still with one payment.
    const retried = await waitFor(async () => {
      const res = await call(survivor, 'POST', `/checkout/sessions/${sessionId}/place`, 'shopper-1', 'shopper', undefined, { 'Idempotency-Key': 'chaos-1' });
      if (res.status === 409) expect(res.body.error.code).toBe('request_in_progress');
      return res.status === 201 ? res : null;
    });
    expect(retried.body.data).toMatchObject({ checkoutSessionId: sessionId, paymentIntentId: charges[0].stripe_payment_intent_id, summary: { totalOrders: 2 } });
    expect(stripe.stats().paymentIntentsCreated).toBe(1);
  });
});
