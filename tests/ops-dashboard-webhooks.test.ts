import type { Browser, Page } from 'puppeteer-core';
import { openDashboardBrowser, type DashboardBrowser } from './support/dashboard-browser';
import { ops, startEventsHarness, waitFor, type EventsHarness } from './support/events-harness';
import { tokenFor } from './support/tokens';

/**
 * The dashboard's Webhooks & mails view in real Chromium: an endpoint disabled for failing is flagged, its
 * deliveries are listed with their last error, Enable sends what waited, Redeliver sends one again; mails kept
 * without SMTP are readable.
 */
let h: EventsHarness;
let dashboard: DashboardBrowser | undefined;
let baseUrl: string;
let browser: Browser;

beforeAll(async () => {
  h = await startEventsHarness({ smtp: false });
  dashboard = await openDashboardBrowser(h.app.app, 'mor-ops-webhooks');
  ({ baseUrl, browser } = dashboard);
}, 60_000);

afterAll(async () => {
  await dashboard?.close();
  await h?.close();
});

const waitForText = (page: Page, selector: string, text: string) =>
  page.waitForFunction(
    (s, t) => document.querySelector(s)?.textContent?.includes(t),
    { timeout: 10_000 },
    selector,
    text,
  );

it('shows a disabled endpoint and its failed delivery, enables it, redelivers, and shows the kept mails', async () => {
  const store = await h.createApiStore('acme');
  const endpoint = await h.registerEndpoint(['order.placed']);
  h.receiver.answerWith(503);
  await h.database
    .db('webhook_endpoints')
    .where({ id: endpoint.endpointId })
    .update({ failing_since: new Date(Date.now() - 4 * 86_400_000) });
  const checkout = await h.checkoutWithEmail('dash-shopper', 'dash@example.com', [
    { storeSlug: store.slug, sku: 'MUG' },
  ]);
  const orderNumber = checkout.orders[0].orderNumber;
  await waitFor(
    async () => (await h.http.get('/api/v1/ops/webhook-endpoints').set(ops)).body.data[0].status === 'disabled',
    20_000,
    'disabled',
  );

  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.setDefaultTimeout(10_000);
  await page.goto(`${baseUrl}/ops`);
  await page.waitForSelector('#token', { visible: true });
  await page.type('#token', tokenFor('olivia', 'ops'));
  await page.click('#sign-in-form button[type=submit]');
  await page.waitForSelector('#who:not([hidden])');
  await page.click('a[data-section="webhooks"]');

  await waitForText(page, '[data-testid="disabled-endpoints"]', 'HTTP 503');
  await page.click(`tr[data-endpoint-id="${endpoint.endpointId}"] a`);
  await waitForText(page, '[data-testid="deliveries"]', orderNumber);
  expect(await page.$eval('[data-testid="deliveries"] tbody', (el) => (el as HTMLElement).innerText)).toContain(
    'HTTP 503',
  );

  h.receiver.answerWith(200);
  await page.click('#enable-endpoint');
  await waitForText(page, '#notice-status', 'enabled again');
  const delivered = await waitFor(
    async () => h.receiver.received.find((event) => event.data.orderNumber === orderNumber),
    20_000,
    'the delivery',
  );
  await page.click('#refresh-deliveries');
  await waitForText(page, '[data-testid="deliveries"]', 'Succeeded');

  await page.click('[data-testid="deliveries"] tbody button');
  await waitForText(page, '#notice-status', 'is being sent again');
  await waitFor(
    async () => h.receiver.received.filter((event) => event.id === delivered.id).length === 2,
    20_000,
    'the redelivery',
  );

  await waitForText(page, '[data-testid="mails"]', 'Your order is confirmed');
  await page.click('[data-testid="mails"] summary');
  await waitForText(page, '[data-testid="mails"] pre', orderNumber);
  expect(pageErrors).toEqual([]);
  await page.close();
}, 90_000);
