import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { CHROMIUM_ARGS } from '../src/placement/browser-pool';
import { markPlacedAtRetailer, placeCheckout } from './support/order-fixtures';
import { startOutsideHarness, type OutsideHarness } from './support/stripe-outside';
import { tokenFor } from './support/tokens';

/** What ops see, in real Chromium, of money that moved at Stripe: open disputes and reconciliation drift. */
let h: OutsideHarness;
let browser: Browser;
let profileDir: string;
let baseUrl: string;

beforeAll(async () => {
  h = await startOutsideHarness();
  baseUrl = h.apiUrl;
  profileDir = await mkdtemp(join(tmpdir(), 'mor-ops-money-'));
  browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    userDataDir: profileDir,
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await rm(profileDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }).catch(() => undefined);
  await h?.closeAll();
});

async function signedIn(hash: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.setDefaultTimeout(10_000);
  await page.goto(`${baseUrl}/ops${hash}`);
  await page.waitForSelector('#token', { visible: true });
  await page.type('#token', tokenFor('ops-olivia', 'ops'));
  await page.click('#sign-in-form button[type=submit]');
  return { page, errors };
}

const textOf = (page: Page, selector: string) => page.$eval(selector, (el) => (el as HTMLElement).innerText);

it('shows open disputes with their orders, the dispute on the order, and the drift the latest reconciliation found', async () => {
  const { sessionId, orderNumbers } = await placeCheckout(h, 'money-1');
  await markPlacedAtRetailer(h, orderNumbers[1], 'GLOBEX-M1');
  const paymentIntentId = await h.paymentIntentOf(sessionId);
  const globex = await h.database.db('orders').where({ order_number: orderNumbers[1] }).first();
  const dispute = await h.control('disputes', {
    paymentIntentId,
    amount: globex.total_cents,
    reason: 'product_not_received',
  });
  await h.eventsDelivered();
  // A payment Stripe took that the ledger never recorded: the reconciliation reports it.
  const stray = await h.stripeSdk.paymentIntents.create({
    amount: 1_500,
    currency: 'usd',
    payment_method: 'pm_card_visa',
    confirm: true,
    allowed_payment_method_types: ['card'],
    metadata: { checkout_session_id: 'cs_strayMoney' },
  });
  const { run } = (await h.app.services.reconciliation.runAndRecord(
    { since: new Date(Date.now() - 3_600_000), until: new Date(Date.now() + 3_600_000) },
    'manual',
  ))!;

  const { page, errors } = await signedIn('#/money');
  await page.waitForSelector(`[data-dispute-id="${dispute.id}"]`);
  const row = await textOf(page, `[data-dispute-id="${dispute.id}"]`);
  expect(row).toContain(orderNumbers[1]);
  expect(row).toContain('Needs response');
  expect(row).toContain('Product not received');
  await page.waitForSelector(`[data-run-id="${run.id}"]`);
  const report = await textOf(page, '[data-testid="drift-report"]');
  expect(report).toContain('Stripe: 2 payments, 0 refunds. 1 difference.');
  expect(await textOf(page, '[data-drift-kind="payment_missing_in_ledger"]')).toContain(stray.id);

  await page.click(`[data-dispute-id="${dispute.id}"] a`);
  await page.waitForSelector('[data-testid="order-disputes"]');
  const onOrder = await textOf(page, '[data-testid="order-disputes"]');
  expect(onOrder).toContain(dispute.id);
  expect(onOrder).toContain('the whole order');
  expect(errors).toEqual([]);
  await page.browserContext().close();
}, 60_000);
