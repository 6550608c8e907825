import { documentedResponseSchemas } from '../src/http/openapi';
import { seedOrderHistory } from './support/store-history';
import { startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { bearer } from './support/tokens';

/**
 * GET /ops/stores and the store levers over HTTP, on a history written row by row, so every figure can be
 * checked against a count by hand.
 */
let h: CheckoutHarness;
const admin = bearer('admin-1', 'admin');
const ops = bearer('olivia', 'ops');
let flaky: string;
let steady: string;

beforeAll(async () => {
  h = await startCheckoutHarness();
  const create = async (slug: string, placementMethod: string, extra: Record<string, unknown> = {}) =>
    (
      await h.http
        .post('/api/v1/admin/stores')
        .set(admin)
        .send({ slug, name: `Store ${slug}`, placementMethod, ...extra })
        .expect(201)
    ).body.data.storeId as string;
  flaky = await create('flaky', 'api', {
    placementConfig: { baseUrl: 'http://127.0.0.1:9/flaky', apiKey: 'k' },
    fallbackMethod: 'manual',
  });
  steady = await create('steady', 'manual');
  await seedOrderHistory(h.database.db, [
    // flaky, in the last day
    {
      storeId: flaky,
      method: 'api',
      status: 'placed',
      ageSeconds: 3000,
      placedAfterSeconds: 10,
      attempts: [{ method: 'api', outcome: 'placed' }],
    },
    {
      storeId: flaky,
      method: 'api',
      status: 'placed',
      ageSeconds: 7200,
      placedAfterSeconds: 30,
      attempts: [
        { method: 'api', outcome: 'transient_error' },
        { method: 'api', outcome: 'placed' },
      ],
    },
    {
      storeId: flaky,
      method: 'manual',
      status: 'placed',
      ageSeconds: 9000,
      placedAfterSeconds: 600,
      task: { kind: 'place_order', status: 'done' },
      attempts: [
        { method: 'api', outcome: 'transient_error', message: 'retailer answered 503' },
        { method: 'api', outcome: 'transient_error', message: 'retailer answered 503' },
        { method: 'api', outcome: 'permanent_error', errorCode: 'rejected', message: 'retailer refused the address' },
        { method: 'manual', outcome: 'deferred' },
      ],
    },
    {
      storeId: flaky,
      method: 'api',
      status: 'failed',
      ageSeconds: 20_000,
      failureReason: 'out_of_stock: MUG is sold out',
      placementRefundCents: 2500,
      attempts: [
        {
          method: 'api',
          outcome: 'permanent_error',
          errorCode: 'out_of_stock',
          message: 'MUG is sold out',
          details: { step: 'failIf', artifacts: { screenshot: '/tmp/artifacts/MO-X-1-1.png' } },
        },
      ],
    },
    {
      storeId: flaky,
      method: 'api',
      status: 'placing',
      ageSeconds: 30_000,
      task: { kind: 'price_review', status: 'open' },
      attempts: [{ method: 'api', outcome: 'price_mismatch', message: 'retailer asks 3100' }],
    },
    { storeId: flaky, method: 'api', status: 'pending', ageSeconds: 60 },
    // flaky, three days ago: only in the week
    {
      storeId: flaky,
      method: 'api',
      status: 'placed',
      ageSeconds: 3 * 86_400,
      placedAfterSeconds: 20,
      attempts: [{ method: 'api', outcome: 'placed' }],
    },
    // steady, by hand
    {
      storeId: steady,
      method: 'manual',
      status: 'placed',
      ageSeconds: 600,
      placedAfterSeconds: 120,
      task: { kind: 'place_order', status: 'done' },
      attempts: [{ method: 'manual', outcome: 'deferred' }],
    },
  ]);
}, 60_000);
afterAll(() => h.close());

const schemas = documentedResponseSchemas();
/** The answer is exactly what the OpenAPI document promises: nothing missing, nothing undocumented. */
function expectDocumented(key: string, body: unknown) {
  const parsed = schemas.get(`${key}`)!.safeParse(body);
  expect({ key, issues: parsed.error?.issues ?? [] }).toEqual({ key, issues: [] });
  expect(parsed.data).toStrictEqual(body);
}

describe('store health figures', () => {
  it('when a day of attempts is counted by hand, then every figure of every store and method matches, worst first', async () => {
    const res = await h.http.get('/api/v1/ops/stores').query({ window: '24h' }).set(ops).expect(200);
    expectDocumented('GET /api/v1/ops/stores 200', res.body);
    const rows = res.body.data;
    expect(rows.map((r: { slug: string; method: string }) => `${r.slug}/${r.method}`)).toEqual([
      'flaky/api',
      'steady/manual',
    ]);
    expect(rows[0]).toEqual({
      slug: 'flaky',
      name: 'Store flaky',
      method: 'api',
      currentMethod: 'api',
      configuredMethod: 'api',
      methodOverride: null,
      paused: false,
      pause: null,
      breaker: null,
      breakerRetryInSeconds: null,
      orders: 6,
      attempts: 8, // 1 + 2 + 3 (the hand-off to people is not a verdict) + 1 + 1 + 0
      placed: 3,
      failed: 1,
      successRate: 0.75, // 3 placed of 4 settled; the price review and the pending order are not settled
      firstTrySuccessRate: 0.2, // 1 of the 5 orders tried
      placeSecondsP50: 30,
      placeSecondsP95: 543, // percentile_cont over 10, 30, 600: 30 + 0.9 × 570
      manualShare: 0.3333, // the fallback's task and the price review, of 6
      failedRefundCents: 2500,
    });
    expect(rows[1]).toMatchObject({
      slug: 'steady',
      method: 'manual',
      orders: 1,
      attempts: 0,
      placed: 1,
      successRate: 1,
      firstTrySuccessRate: null,
      manualShare: 1,
      placeSecondsP50: 120,
    });
  });

  it('when the window is a week or an hour, then it counts the orders placed in it', async () => {
    const week = (await h.http.get('/api/v1/ops/stores?window=7d').set(ops).expect(200)).body.data;
    expect(week[0]).toMatchObject({
      slug: 'flaky',
      orders: 7,
      placed: 4,
      successRate: 0.8,
      firstTrySuccessRate: 0.3333,
      placeSecondsP50: 25,
    });
    const hour = (await h.http.get('/api/v1/ops/stores?window=1h').set(ops).expect(200)).body.data;
    expect(hour.find((r: { slug: string }) => r.slug === 'flaky')).toMatchObject({
      orders: 2,
      placed: 1,
      successRate: 1,
      placeSecondsP50: 10,
    });
    const defaulted = (await h.http.get('/api/v1/ops/stores').set(ops).expect(200)).body.data;
    expect(defaulted[0].orders).toBe(6);
  });

  it('when a store is opened, then its latest failures come with reasons and screenshot names, and its orders over time', async () => {
    const answer = (await h.http.get('/api/v1/ops/stores/flaky?window=24h').set(ops).expect(200)).body;
    expectDocumented('GET /api/v1/ops/stores/{slug} 200', answer);
    const detail = answer.data;
    // Newest first: the retried order's first try, the fallback order's three, the sold-out order's, the price review's.
    expect(detail.failures.map((f: { outcome: string }) => f.outcome)).toEqual([
      'transient_error',
      'permanent_error',
      'transient_error',
      'transient_error',
      'permanent_error',
      'price_mismatch',
    ]);
    expect(detail.failures[4]).toMatchObject({
      errorCode: 'out_of_stock',
      message: 'MUG is sold out',
      step: 'failIf',
      screenshot: 'MO-X-1-1.png',
      orderStatus: 'failed',
    });
    expect(detail.series.reduce((sum: number, b: { orders: number }) => sum + b.orders, 0)).toBe(6);
    expect(detail.store).toMatchObject({ slug: 'flaky', paused: false, currentMethod: 'api' });
  });

  it('when Prometheus scrapes, then the same figures are gauges labelled by store, method and window', async () => {
    const text = (await h.http.get('/metrics').expect(200)).text;
    expect(text).toContain('mor_store_placement_success_ratio{store="flaky",method="api",window="24h"} 0.75');
    expect(text).toContain('mor_store_placement_success_ratio{store="flaky",method="api",window="7d"} 0.8');
    expect(text).toContain('mor_store_place_seconds_p95{store="flaky",method="api",window="24h"} 543');
    expect(text).toContain('mor_store_manual_share_ratio{store="steady",method="manual",window="24h"} 1');
    expect(text).toContain('mor_store_failed_placement_refund_cents{store="flaky",method="api",window="24h"} 2500');
    expect(text).toMatch(/mor_store_paused\{store="steady"\} [01]/);
  });

  it('refuses shoppers, unknown windows and unknown stores', async () => {
    await h.http.get('/api/v1/ops/stores').expect(401);
    await h.http.get('/api/v1/ops/stores').set(bearer('sam')).expect(403);
    const bad = await h.http.get('/api/v1/ops/stores?window=2d').set(ops).expect(400);
    expect(bad.body.error.details.fields).toHaveProperty('window');
    expect((await h.http.get('/api/v1/ops/stores/nope').set(ops).expect(404)).body.error.code).toBe('store_not_found');
  });
});

describe('store levers', () => {
  it('when ops pause and resume a store, then each pull is recorded with who and why, and a second pause is refused', async () => {
    await h.http.post('/api/v1/ops/stores/steady/pause').set(ops).send({}).expect(400);
    const paused = await h.http
      .post('/api/v1/ops/stores/steady/pause')
      .set(ops)
      .send({ reason: 'retailer checkout is down' })
      .expect(200);
    expect(paused.body.data).toMatchObject({
      slug: 'steady',
      paused: true,
      pause: { by: 'olivia', reason: 'retailer checkout is down' },
    });
    expectDocumented('POST /api/v1/ops/stores/{slug}/pause 200', paused.body);
    const again = await h.http
      .post('/api/v1/ops/stores/steady/pause')
      .set(admin)
      .send({ reason: 'me too' })
      .expect(409);
    expectDocumented('POST /api/v1/ops/stores/{slug}/pause 409', again.body);
    expect(again.body.error).toMatchObject({ code: 'store_already_paused', details: { pausedBy: 'olivia' } });
    const row = (await h.http.get('/api/v1/ops/stores').set(ops).expect(200)).body.data.find(
      (r: { slug: string }) => r.slug === 'steady',
    );
    expect(row).toMatchObject({ paused: true, pause: { by: 'olivia' } });

    const resumed = await h.http
      .post('/api/v1/ops/stores/steady/resume')
      .set(admin)
      .send({ reason: 'retailer is back' })
      .expect(200);
    expect(resumed.body.data).toMatchObject({ paused: false, pause: null, releasedPlacements: 0 });
    expectDocumented('POST /api/v1/ops/stores/{slug}/resume 200', resumed.body);
    expect((await h.http.post('/api/v1/ops/stores/steady/resume').set(ops).expect(409)).body.error.code).toBe(
      'store_not_paused',
    );

    const { levers } = (await h.http.get('/api/v1/ops/stores/steady').set(ops).expect(200)).body.data;
    expect(levers.map((l: { action: string; actor: string; reason: string }) => [l.action, l.actor, l.reason])).toEqual(
      [
        ['resume', 'admin-1', 'retailer is back'],
        ['pause', 'olivia', 'retailer checkout is down'],
      ],
    );
  });

  it('when ops switch a store to people, then its new placements go there until it is switched back; methods it has no settings for are refused', async () => {
    const refused = await h.http
      .post('/api/v1/ops/stores/flaky/method')
      .set(ops)
      .send({ placementMethod: 'headless', reason: 'try the browser' })
      .expect(422);
    expect(refused.body.error).toMatchObject({
      code: 'method_not_configured',
      details: { allowed: ['api', 'manual'] },
    });
    const manual = await h.http
      .post('/api/v1/ops/stores/flaky/method')
      .set(ops)
      .send({ placementMethod: 'manual', reason: 'retailer API outage' })
      .expect(200);
    expect(manual.body.data).toMatchObject({
      configuredMethod: 'api',
      methodOverride: 'manual',
      currentMethod: 'manual',
    });
    expectDocumented('POST /api/v1/ops/stores/{slug}/method 200', manual.body);
    expectDocumented('POST /api/v1/ops/stores/{slug}/method 422', refused.body);
    const rows = (await h.http.get('/api/v1/ops/stores').set(ops).expect(200)).body.data.filter(
      (r: { slug: string }) => r.slug === 'flaky',
    );
    // The figures stay under the method the orders went by; the row says where new ones go.
    expect(rows.map((r: { method: string; currentMethod: string }) => [r.method, r.currentMethod])).toEqual([
      ['api', 'manual'],
      ['manual', 'manual'],
    ]);
    const back = await h.http
      .post('/api/v1/ops/stores/flaky/method')
      .set(ops)
      .send({ placementMethod: 'api', reason: 'outage over' })
      .expect(200);
    expect(back.body.data).toMatchObject({ methodOverride: null, currentMethod: 'api' });
    const { levers } = (await h.http.get('/api/v1/ops/stores/flaky').set(ops).expect(200)).body.data;
    expect(
      levers.map((l: { fromMethod: string; toMethod: string; reason: string }) => [l.fromMethod, l.toMethod, l.reason]),
    ).toEqual([
      ['manual', 'api', 'outage over'],
      ['api', 'manual', 'retailer API outage'],
    ]);
  });
});
