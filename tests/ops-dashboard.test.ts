import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { openDashboardBrowser, type DashboardBrowser } from './support/dashboard-browser';
import { findOrderByNumber } from '../src/repositories/orders-repository';
import { ADDRESS, startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { markPlacedAtRetailer, placeCheckout } from './support/order-fixtures';
import { bearer, tokenFor } from './support/tokens';

/**
 * The ops dashboard driven like a person would, in real Chromium, against the real API: sign in with a
 * pasted token, work a manual placement task, look into a failed order.
 */
let h: CheckoutHarness;
let dashboard: DashboardBrowser | undefined;
let baseUrl: string;
let browser: Browser;
let context: BrowserContext;

const admin = bearer('admin-1', 'admin');
const ops = bearer('ops-1', 'ops');

beforeAll(async () => {
  h = await startCheckoutHarness();
  await h.seedCatalog();
  await h.http
    .post('/api/v1/admin/stores')
    .set(admin)
    .send({ slug: 'corner-shop', name: 'Corner Shop', placementMethod: 'manual', shipping: { flatCents: 0 } })
    .expect(201);
  await h.http
    .put('/api/v1/admin/products')
    .set(admin)
    .send({
      storeSlug: 'corner-shop',
      sku: 'CANDLE',
      name: 'Beeswax candle',
      priceCents: 1800,
      productUrl: 'https://example.com/corner-shop/CANDLE',
    })
    .expect(201);
  dashboard = await openDashboardBrowser(h.app.app, 'mor-ops-dashboard');
  ({ baseUrl, browser } = dashboard);
}, 60_000);

afterAll(async () => {
  await dashboard?.close();
  await h?.close();
});

// Each test is a fresh browser context: its own sessionStorage, so nobody is signed in yet.
let pageErrors: string[];
beforeEach(async () => {
  context = await browser.createBrowserContext();
  pageErrors = [];
});
afterEach(async () => {
  await context.close();
  // Script errors and Content-Security-Policy refusals; a refused API call's own log line is expected.
  expect(pageErrors).toEqual([]);
});

async function newPage(): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.setViewport({ width: 1366, height: 900 });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      pageErrors.push(message.text());
  });
  return page;
}

/** Every form control the person can reach has a label a screen reader announces. */
const unlabelledControls = (page: Page) =>
  page.$$eval('input, select, textarea', (controls) =>
    controls.filter((c) => (c as HTMLInputElement).labels?.length === 0).map((c) => c.outerHTML),
  );

/** A shopper buys two candles from the manual store; its placement run opens the ops task. */
async function manualOrderWithOpenTask(userId: string): Promise<string> {
  await h.addToCart(userId, 'corner-shop', 'CANDLE', 2, { size: 'Large', color: 'Amber' });
  const shopper = bearer(userId);
  const sessionId = (await h.http.post('/api/v1/checkout/sessions').set(shopper).expect(201)).body.data.sessionId;
  await h.http.put(`/api/v1/checkout/sessions/${sessionId}/shipping`).set(shopper).send(ADDRESS).expect(200);
  await h.http
    .put(`/api/v1/checkout/sessions/${sessionId}/payment`)
    .set(shopper)
    .send({ paymentMethodId: 'pm_card_visa' })
    .expect(200);
  const placed = await h.http
    .post(`/api/v1/checkout/sessions/${sessionId}/place`)
    .set(shopper)
    .set('Idempotency-Key', `${userId}-place`)
    .expect(201);
  const [order] = placed.body.data.orders;
  await h.app.services.placement.place(
    { orderNumber: order.orderNumber, storeId: order.storeId },
    { attempt: 1, maxAttempts: 6, maybeRan: false },
  );
  return order.orderNumber;
}

async function openTaskFor(orderNumber: string) {
  const tasks = (await h.http.get('/api/v1/ops/tasks?status=open&limit=100').set(ops).expect(200)).body.data;
  return tasks.find((task: { orderNumber: string }) => task.orderNumber === orderNumber) as { taskId: string };
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(`${baseUrl}/ops`);
  await page.waitForSelector('#token', { visible: true });
  await page.type('#token', token);
  await page.click('#sign-in-form button[type=submit]');
}

const textOf = (page: Page, selector: string) => page.$eval(selector, (el) => (el as HTMLElement).innerText);
const waitForText = (page: Page, selector: string, text: string) =>
  page.waitForFunction(
    (s, t) => document.querySelector(s)?.textContent?.includes(t),
    { timeout: 10_000 },
    selector,
    text,
  );

describe('ops dashboard in Chromium', () => {
  it('when a person claims the open manual task and completes it with the retailer’s number, then the order is placed', async () => {
    const orderNumber = await manualOrderWithOpenTask('dash-1');
    const { taskId } = await openTaskFor(orderNumber);
    const page = await newPage();
    await signIn(page, tokenFor('ops-1', 'ops'));

    await waitForText(page, '#who', 'ops-1');
    expect(await textOf(page, '#who')).toContain('ops');
    const row = `tr[data-task-id="${taskId}"]`;
    await page.waitForSelector(row);
    expect(await textOf(page, row)).toEqual(expect.stringContaining('Corner Shop'));
    expect(await textOf(page, row)).toEqual(expect.stringContaining('Place order'));
    expect(await textOf(page, row)).toEqual(expect.stringContaining('nobody'));

    await page.click(`${row} a`);
    await page.waitForSelector('#claim-task');
    const detail = await textOf(page, '.detail-pane');
    expect(detail).toContain(`Place order ${orderNumber}`);
    expect(await textOf(page, '[data-testid=address-text]')).toBe(
      'Ada Lovelace\n1 Market St\nSan Francisco, CA 94105\nUS\n+14155550100',
    );
    const link = await page.$eval('table.items a', (a) => ({
      href: a.getAttribute('href'),
      target: a.getAttribute('target'),
      text: a.textContent,
    }));
    expect(link).toEqual({
      href: 'https://example.com/corner-shop/CANDLE',
      target: '_blank',
      text: 'Beeswax candle (opens in a new tab)',
    });
    const cells = await page.$$eval('table.items tbody td', (tds) => tds.map((td) => td.textContent));
    expect(cells).toEqual(['Beeswax candle (opens in a new tab)', 'CANDLE', 'Large', 'Amber', '2', '$18.00', '$36.00']);
    expect(detail).toMatch(/Instructions\s+Buy these items at Corner Shop/);
    expect(await focusedId(page)).toBe('task-title');

    await page.click('#claim-task');
    await waitForText(page, '#notice-status', 'You claimed the task');
    // The open task's page also has Complete: only Release says the claimed task has been rendered.
    await page.waitForSelector('#release-task');
    expect(await textOf(page, '.detail-pane')).toContain('You have claimed this task');
    expect(await textOf(page, '.tabs a[aria-current=page]')).toBe('Claimed');
    expect(await textOf(page, row)).toContain('ops-1');
    expect(await unlabelledControls(page)).toEqual([]);

    // Changed their mind: release it back to the queue, then take it again.
    await page.click('#release-task');
    await waitForText(page, '#notice-status', 'is open again');
    await page.waitForSelector('#claim-task');
    await page.click('#claim-task');
    await waitForText(page, '#notice-status', 'You claimed the task');
    await page.waitForSelector('#release-task');

    await page.click('#complete-task'); // nothing typed yet: the field says what it needs, nothing is sent
    await waitForText(page, '#store-order-number-error', 'Enter the retailer’s order number');
    expect((await h.http.get(`/api/v1/orders/${orderNumber}`).set(ops).expect(200)).body.data.status).toBe('placing');

    await page.type('#store-order-number', 'CS-1001');
    await page.click('#complete-task');
    await waitForText(page, '#notice-status', `${orderNumber} is placed with retailer order number CS-1001`);
    await page.waitForFunction(() => document.querySelector('.tabs a[aria-current=page]')?.textContent === 'Done');
    expect(await page.$('#complete-task')).toBeNull();

    const order = (await h.http.get(`/api/v1/orders/${orderNumber}`).set(ops).expect(200)).body.data;
    expect(order).toMatchObject({ status: 'placed', storeOrderNumber: 'CS-1001' });
    expect(order.statusHistory.at(-1).reason).toContain('placed by hand by ops-1');
  });

  it('when someone else claims the task first, then the person is told in plain words with the error code', async () => {
    const orderNumber = await manualOrderWithOpenTask('dash-2');
    const { taskId } = await openTaskFor(orderNumber);
    const page = await newPage();
    await signIn(page, tokenFor('ops-1', 'ops'));
    await page.waitForSelector(`tr[data-task-id="${taskId}"] a`);
    await page.click(`tr[data-task-id="${taskId}"] a`);
    await page.waitForSelector('#claim-task');

    await h.http.post(`/api/v1/ops/tasks/${taskId}/claim`).set(bearer('ops-2', 'ops')).expect(200);
    await page.click('#claim-task');
    await page.waitForSelector('[data-testid=error-code]');
    const alert = await textOf(page, '#notice-alert');
    expect(alert).toContain('This task is no longer open');
    expect(alert).toContain('claimed by ops-2');
    expect(await textOf(page, '[data-testid=error-code]')).toBe('task_not_open');
    // The page refreshed: it shows who has the task now and offers no buttons that would be refused.
    await waitForText(page, '.detail-pane', 'ops-2 is working on this task');
    expect(await page.$('#claim-task')).toBeNull();
    expect(await page.$('#complete-task')).toBeNull();
  });

  it('shows a price review with what the shopper paid, what the retailer asks and the difference', async () => {
    const { orderNumbers } = await placeCheckout(h, 'dash-5');
    const order = (await findOrderByNumber(h.database.db, orderNumbers[0]))!;
    const detail = (await h.http.get(`/api/v1/orders/${order.orderNumber}`).set(ops).expect(200)).body.data;
    const placementOrder = {
      ...order,
      items: detail.items.map((item: Record<string, unknown>) => ({ ...item, size: undefined, color: undefined })),
    };
    const task = await h.app.services.tasks.openPriceReview(
      order,
      placementOrder,
      order.totalCents + 450,
      order.totalCents,
    );

    const page = await newPage();
    await signIn(page, tokenFor('ops-1', 'ops'));
    await page.waitForSelector(`tr[data-task-id="${task.id}"] a`);
    expect(await textOf(page, `tr[data-task-id="${task.id}"]`)).toContain('Price review');
    await page.click(`tr[data-task-id="${task.id}"] a`);
    await page.waitForSelector('.price-review');
    const review = await textOf(page, '.price-review');
    expect(review).toMatch(new RegExp(`The shopper paid\\s+\\$${(order.totalCents / 100).toFixed(2)}`));
    expect(review).toMatch(new RegExp(`The retailer asks\\s+\\$${((order.totalCents + 450) / 100).toFixed(2)}`));
    expect(review).toMatch(/Difference\s+\+\$4\.50/);
    expect(await textOf(page, '.instructions')).toContain('Place it by hand if the difference is acceptable');
  });

  it('shows a failed order under Failed orders with its status history, and why a refunded order cannot be retried', async () => {
    const { orderNumbers } = await placeCheckout(h, 'dash-3');
    const order = (await findOrderByNumber(h.database.db, orderNumbers[0]))!;
    await h.app.services.placement.failOrder(order, 'out_of_stock: the retailer has no mugs');

    const page = await newPage();
    await signIn(page, tokenFor('ops-1', 'ops'));
    await page.waitForSelector('tr[data-task-id], .list-pane .empty');
    await page.click('a[data-section=orders]');
    const row = `tr[data-order-number="${orderNumbers[0]}"]`;
    await page.waitForSelector(row);
    expect(await textOf(page, 'caption')).toMatch(/^Failed orders: \d+/);
    expect(await textOf(page, row)).toEqual(expect.stringMatching(/Acme Outdoors\s+api\s+Failed\s+\$\d+\.\d\d/));
    expect(await page.$(`tr[data-order-number="${orderNumbers[1]}"]`)).toBeNull(); // globex is still pending

    await page.click(`${row} a`);
    await page.waitForSelector('[data-testid=status-history]');
    const detail = await textOf(page, '.detail-pane');
    expect(detail).toContain('out_of_stock: the retailer has no mugs');
    expect(detail).toMatch(/Refunded\s+\$\d+\.\d\d/);
    const history = await page.$$eval('[data-testid=status-history] tbody tr', (rows) =>
      rows.map((r) =>
        Array.from(r.children)
          .slice(1)
          .map((td) => td.textContent),
      ),
    );
    expect(history).toEqual([
      ['—', 'Pending', expect.any(String)],
      ['Pending', 'Failed', 'out_of_stock: the retailer has no mugs'],
    ]);

    // The API would refuse to place it again with the money already returned: no Retry button, a reason instead.
    expect(await textOf(page, '#no-retry')).toContain(
      'The shopper was refunded for this order, so it cannot be placed again',
    );
    expect(await page.$('#retry-order')).toBeNull();
  });

  it('sends a stuck order back to placement by hand, and records tracking for a placed one', async () => {
    const { orderNumbers } = await placeCheckout(h, 'dash-4');
    const [stuck, placed] = orderNumbers;
    await markPlacedAtRetailer(h, placed, 'GLOBEX-4');

    const page = await newPage();
    await signIn(page, tokenFor('ops-1', 'ops'));
    await page.waitForSelector('tr[data-task-id], .list-pane .empty');
    await page.click('a[data-section=orders]');
    await page.waitForSelector('#order-status');
    await page.select('#order-status', 'pending');
    await page.click('#show-orders');
    await page.waitForSelector(`tr[data-order-number="${stuck}"] a`);
    await page.click(`tr[data-order-number="${stuck}"] a`);
    await page.waitForSelector('#retry-order');
    await page.select('#retry-method', 'manual');
    await page.click('#retry-order');
    await waitForText(page, '#notice-status', `${stuck} is back in placement (manual)`);
    await waitForText(page, '#order-title', 'Placing');
    expect((await h.http.get(`/api/v1/orders/${stuck}`).set(ops).expect(200)).body.data).toMatchObject({
      status: 'placing',
      placementMethod: 'manual',
    });
    expect(h.enqueued).toContainEqual(
      expect.objectContaining({ orderNumber: stuck, runKey: expect.stringMatching(/^retry-/) }),
    );

    await page.type('#find-order', placed.toLowerCase());
    await page.keyboard.press('Enter');
    await page.waitForSelector('#record-tracking');
    expect(await unlabelledControls(page)).toEqual([]);
    await page.type('#tracking-number', '1Z999AA10123456784');
    await page.type('#tracking-carrier', 'UPS');
    await page.$eval('#tracking-eta', (input) => ((input as HTMLInputElement).value = '2026-12-01'));
    await page.click('#record-tracking');
    await waitForText(page, '#notice-status', `${placed} is shipped: UPS 1Z999AA10123456784`);
    // The form's own "Estimated delivery" label is on the page before too: wait for the shipped order's facts.
    await page.waitForFunction(
      () =>
        /Tracking\s+UPS 1Z999AA10123456784/.test(
          (document.querySelector('.detail-pane') as HTMLElement | null)?.innerText ?? '',
        ),
      { timeout: 10_000 },
    );
    expect(await textOf(page, '.detail-pane')).toMatch(/Estimated delivery\s+2026-12-01/);
    expect((await h.http.get(`/api/v1/orders/${placed}`).set(ops).expect(200)).body.data).toMatchObject({
      status: 'shipped',
      trackingNumber: '1Z999AA10123456784',
      carrier: 'UPS',
      estimatedDelivery: '2026-12-01',
    });
  });

  it('refuses a shopper’s token with a clear message and keeps nobody signed in', async () => {
    const page = await newPage();
    await signIn(page, tokenFor('shopper-9'));
    await page.waitForSelector('[data-testid=error-code]');
    expect(await textOf(page, '[data-testid=error-code]')).toBe('forbidden');
    const alert = await textOf(page, '#notice-alert');
    expect(alert).toContain('Signed in as shopper-9 (role shopper), which cannot use the ops dashboard');
    expect(alert).toContain('needs a token with the ops (or admin) role');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await page.$eval('#app', (el) => (el as HTMLElement).hidden)).toBe(true);
    expect(await page.$eval('#sign-in', (el) => (el as HTMLElement).hidden)).toBe(false);

    // A token the API does not accept at all (signed with another secret) is refused as such.
    await page.$eval('#token', (input) => ((input as HTMLTextAreaElement).value = ''));
    await page.type('#token', tokenFor('ops-1', 'ops', 'not-the-service-secret'));
    await page.click('#sign-in-form button[type=submit]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=error-code]')?.textContent === 'unauthorized',
    );
    expect(await textOf(page, '#notice-alert')).toContain('Could not sign in');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it('pages through a list longer than a page, saying which of how many rows it shows', async () => {
    await placeCheckout(h, 'dash-6');
    const total = (await h.http.get('/api/v1/ops/orders?limit=1').set(ops).expect(200)).body.meta.totalOrders;
    expect(total).toBeGreaterThanOrEqual(2);
    const page = await newPage();
    await signIn(page, tokenFor('admin-1', 'admin'));
    await waitForText(page, '#who', 'admin-1');
    expect(await textOf(page, '#who-role')).toBe('admin');
    await page.evaluate(() => (location.hash = '#/orders?status=any&limit=1'));
    await waitForText(page, 'caption', `All orders: showing 1–1 of ${total}`);
    const first = await page.$eval('tr[data-order-number]', (row) => row.getAttribute('data-order-number'));
    expect(await textOf(page, '[data-testid=page-range]')).toBe(`Showing 1–1 of ${total}`);
    expect(await page.$('.pager .page-prev')).toBeNull();

    await page.click('.pager .page-next');
    await waitForText(page, 'caption', `All orders: showing 2–2 of ${total}`);
    expect(await page.$eval('tr[data-order-number]', (row) => row.getAttribute('data-order-number'))).not.toBe(first);
    await page.click('.pager .page-prev');
    await waitForText(page, 'caption', `All orders: showing 1–1 of ${total}`);
  });
});

describe('ops dashboard assets', () => {
  it('serves the page at /ops without a token, with a policy that allows only its own scripts', async () => {
    const page = await h.http.get('/ops').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<title>Ops dashboard</title>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    await h.http
      .get('/ops/js/main.js')
      .expect('Content-Type', /javascript/)
      .expect(200);
    await h.http.get('/ops/nope.js').expect(404);
    await h.http.get('/api/v1/ops/tasks').expect(401);
  });
});

function focusedId(page: Page) {
  return page.evaluate(() => document.activeElement?.id ?? null);
}
