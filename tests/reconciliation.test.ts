import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startMaintenance } from '../src/bootstrap/maintenance';
import { silentLogger } from '../src/logger';
import { markPlacedAtRetailer, placeCheckout } from './support/order-fixtures';
import { startOutsideHarness, type OutsideHarness } from './support/stripe-outside';
import { bearer } from './support/tokens';
import { waitFor } from './support/wait-for';

let h: OutsideHarness;
beforeAll(async () => {
  h = await startOutsideHarness();
});
afterAll(() => h.closeAll());

const ops = bearer('ops-1', 'ops');
const admin = bearer('admin-1', 'admin');
const HOUR = 60 * 60 * 1000;
const aroundNow = () => ({ since: new Date(Date.now() - HOUR), until: new Date(Date.now() + HOUR) });
const runs = async () => (await h.http.get('/api/v1/ops/reconciliation').set(ops).expect(200)).body;
const runDetail = async (runId: string) =>
  (await h.http.get(`/api/v1/ops/reconciliation/${runId}`).set(ops).expect(200)).body.data;
const ledgerSnapshot = () =>
  h.database
    .db('payment_transactions')
    .orderBy('id')
    .select('id', 'type', 'status', 'amount_cents', 'order_id', 'stripe_refund_id');
const orderStatuses = () => h.database.db('orders').orderBy('id').select('id', 'status');

async function placedCheckout(userId: string) {
  const { sessionId, orderNumbers } = await placeCheckout(h, userId);
  await markPlacedAtRetailer(h, orderNumbers[0], `ACME-${userId}`);
  await markPlacedAtRetailer(h, orderNumbers[1], `GLOBEX-${userId}`);
  return { sessionId, orderNumbers, paymentIntentId: await h.paymentIntentOf(sessionId) };
}

describe('reconciliation with Stripe', () => {
  it('finds no drift when the ledger holds what Stripe holds, records the run for ops and sets the metric', async () => {
    const first = await placedCheckout('rc-1');
    const second = await placedCheckout('rc-2');
    await h.http
      .post(`/api/v1/admin/orders/${first.orderNumbers[0]}/refunds`)
      .set(admin)
      .set('Idempotency-Key', 'rc-1-a')
      .send({ amountCents: 900, reason: 'late' })
      .expect(201);
    await h.control('dashboard/refunds', { paymentIntentId: second.paymentIntentId, amount: 1_234 });
    await h.eventsDelivered();

    await h.expectBalanced(first.sessionId);
    await h.expectBalanced(second.sessionId);
    const result = (await h.app.services.reconciliation.runAndRecord(aroundNow(), 'manual'))!;
    expect(result.report).toMatchObject({ stripe: { paymentIntents: 2, refunds: 2 }, driftCount: 0, drift: [] });

    const listed = await runs();
    expect(listed.meta.totalRuns).toBe(1);
    expect(listed.data[0]).toMatchObject({
      runId: result.run.id,
      trigger: 'manual',
      status: 'finished',
      driftCount: 0,
      driftByKind: expect.objectContaining({ order_balance_drift: 0 }),
    });
    expect((await runDetail(result.run.id)).report).toMatchObject({
      driftCount: 0,
      stripe: { paymentIntents: 2, refunds: 2 },
    });
    const metrics = (await h.http.get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^stripe_reconciliation_drift\{kind="refund_missing_in_ledger"\} 0$/m);
    expect(metrics).toMatch(/^stripe_reconciliation_last_run_timestamp_seconds [1-9]/m);
  });

  it('reports every kind of drift to ops and in the metric, and changes nothing', async () => {
    const { sessionId, orderNumbers, paymentIntentId } = await placedCheckout('rc-3');
    const other = await placedCheckout('rc-4');
    const [acme] = await h.database.db('orders').where({ order_number: orderNumbers[0] });
    // A dashboard refund whose ledger rows a bug lost.
    const lost = await h.control('dashboard/refunds', { paymentIntentId: other.paymentIntentId, amount: 500 });
    await h.eventsDelivered();
    await h.database.db('payment_transactions').where({ stripe_refund_id: lost.id }).delete();
    // An admin refund the ledger says is still pending, and a charge recorded a cent short.
    const own = await h.http
      .post(`/api/v1/admin/orders/${orderNumbers[0]}/refunds`)
      .set(admin)
      .set('Idempotency-Key', 'rc-3-a')
      .send({ amountCents: 300, reason: 'x y z' })
      .expect(201);
    await h.eventsDelivered();
    await h.database
      .db('payment_transactions')
      .where({ stripe_refund_id: own.body.data.refundId })
      .update({ status: 'pending' });
    await h.database
      .db('payment_transactions')
      .where({ checkout_session_id: sessionId, type: 'charge' })
      .decrement('amount_cents', 1);
    // A refund the ledger claims Stripe never made, and a payment taken at Stripe the ledger never recorded.
    await h.database.db('payment_transactions').insert({
      checkout_session_id: sessionId,
      order_id: acme.id,
      type: 'partial_refund',
      status: 'succeeded',
      amount_cents: 50,
      stripe_refund_id: 're_neverAtStripe',
      idempotency_key: 'rc-ghost-refund',
    });
    const stray = await h.stripeSdk.paymentIntents.create({
      amount: 4_200,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
      allowed_payment_method_types: ['card'],
      metadata: { checkout_session_id: 'cs_lostInACrash' },
    });
    const before = {
      ledger: await ledgerSnapshot(),
      orders: await orderStatuses(),
      refunds: h.stripe.stats().refundsCreated,
    };

    const { run, report } = (await h.app.services.reconciliation.runAndRecord(aroundNow(), 'manual'))!;
    const kinds = (kind: string) => report.drift.filter((drift) => drift.kind === kind);
    expect(kinds('refund_missing_in_ledger')).toEqual([
      expect.objectContaining({ refundId: lost.id, paymentIntentId: other.paymentIntentId }),
    ]);
    expect(kinds('refund_status_drift')).toEqual([
      expect.objectContaining({
        refundId: own.body.data.refundId,
        stripe: expect.objectContaining({ status: 'succeeded' }),
        ledger: expect.objectContaining({ statuses: ['pending'] }),
      }),
    ]);
    expect(kinds('payment_amount_drift')).toEqual([
      expect.objectContaining({ paymentIntentId, checkoutSessionId: sessionId }),
    ]);
    expect(kinds('refund_missing_at_stripe')).toEqual([
      expect.objectContaining({ refundId: 're_neverAtStripe', checkoutSessionId: sessionId }),
    ]);
    expect(kinds('payment_missing_in_ledger')).toEqual([
      expect.objectContaining({ paymentIntentId: stray.id, checkoutSessionId: 'cs_lostInACrash' }),
    ]);
    expect(
      kinds('order_balance_drift')
        .map((drift) => drift.checkoutSessionId)
        .sort(),
    ).toEqual([sessionId, other.sessionId].sort());
    expect(kinds('order_balance_drift').find((drift) => drift.checkoutSessionId === sessionId)!.orders).toEqual(
      expect.arrayContaining([expect.objectContaining({ orderNumber: orderNumbers[0], refundedCents: 350 })]),
    );

    expect(await ledgerSnapshot()).toEqual(before.ledger);
    expect(await orderStatuses()).toEqual(before.orders);
    expect(h.stripe.stats().refundsCreated).toBe(before.refunds);
    const shown = await runDetail(run.id);
    expect(shown).toMatchObject({
      status: 'finished',
      driftCount: report.driftCount,
      driftByKind: expect.objectContaining({ payment_missing_in_ledger: 1, order_balance_drift: 2 }),
    });
    expect(shown.report.drift).toHaveLength(report.driftCount);
    const metrics = (await h.http.get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^stripe_reconciliation_drift\{kind="order_balance_drift"\} 2$/m);
    expect(metrics).toMatch(/^stripe_reconciliation_drift\{kind="refund_missing_at_stripe"\} 1$/m);
  });

  it('runs daily from the maintenance loop, once per day across instances, for the previous UTC day', async () => {
    await placedCheckout('rc-5');
    const day = 24 * HOUR;
    const tomorrow = Math.floor(Date.now() / day) * day + day;
    h.clock.advance(tomorrow + 31 * 60 * 1000 - Date.now());
    const loops = [
      startMaintenance(h.app.services, silentLogger, { intervalMs: 60_000 }),
      startMaintenance(h.app.services, silentLogger, { intervalMs: 60_000 }),
    ];
    const daily = await waitFor(
      async () => (await runs()).data.find((run: any) => run.trigger === 'daily' && run.status === 'finished'),
      20_000,
      'the daily run',
    );
    await Promise.all(loops.map((loop) => loop.stop()));
    expect(daily).toMatchObject({
      periodStart: new Date(tomorrow - day).toISOString(),
      periodEnd: new Date(tomorrow).toISOString(),
    });
    expect((await runs()).data.filter((run: any) => run.trigger === 'daily')).toHaveLength(1);
    expect(await h.app.services.reconciliation.runDailyIfDue()).toBeNull();
    expect((await runDetail(daily.runId)).report.stripe.paymentIntents).toBeGreaterThanOrEqual(1);
  });

  it('`npm run reconcile -- --since` lists the period with the SDK and exits 3 when it finds drift', async () => {
    const run = promisify(execFile);
    const env = {
      ...process.env,
      DATABASE_URL: h.database.url,
      STRIPE_SECRET_KEY: 'sk_test_cli',
      STRIPE_API_URL: h.stripe.url,
      JWT_SECRET: 'cli-test-secret-0123456789abcdef',
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
    };
    const since = new Date(Date.now() - HOUR).toISOString();
    const stray = await h.stripeSdk.paymentIntents.create({
      amount: 990,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
      allowed_payment_method_types: ['card'],
      metadata: { checkout_session_id: 'cs_cliStray' },
    });
    const failure = await run('npx', ['tsx', 'src/bootstrap/reconcile-cli.ts', '--since', since, '--json'], {
      env,
      cwd: process.cwd(),
    }).catch((error) => error);
    expect(failure.code).toBe(3);
    const report = JSON.parse(failure.stdout);
    expect(report).toMatchObject({ runId: expect.any(String), stripe: { paymentIntents: expect.any(Number) } });
    expect(report.drift).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'payment_missing_in_ledger', paymentIntentId: stray.id }),
      ]),
    );
    expect((await runDetail(report.runId)).report.driftCount).toBe(report.driftCount);
    const bad = await run('npx', ['tsx', 'src/bootstrap/reconcile-cli.ts', '--since', 'yesterday'], { env }).catch(
      (error) => error,
    );
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('--since must be a date') });
  });
});
