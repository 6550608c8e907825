import type { Browser, Page } from 'puppeteer-core';
import { openDashboardBrowser, type DashboardBrowser } from './support/dashboard-browser';
import { startRetailerApiSimulator, type RetailerApiSimulator } from '../src/sandbox/retailer-api';
import { startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { bearer, tokenFor } from './support/tokens';

/** The dashboard's Catalog section in real Chromium: a retailer's price change, synced by a person, shows for the store. */
let h: CheckoutHarness;
let sim: RetailerApiSimulator;
let dashboard: DashboardBrowser | undefined;
let baseUrl: string;
let browser: Browser;
const pageErrors: string[] = [];

beforeAll(async () => {
  sim = await startRetailerApiSimulator();
  h = await startCheckoutHarness();
  sim.addRetailer('ridge', {
    apiKey: 'ridge-key',
    catalog: { PACK: { priceCents: 8900, name: 'Day pack' }, HAT: { priceCents: 2500, name: 'Sun hat' } },
  });
  await h.http
    .post('/api/v1/admin/stores')
    .set(bearer('admin-1', 'admin'))
    .send({
      slug: 'ridge',
      name: 'Ridge Supply',
      placementMethod: 'api',
      placementConfig: { baseUrl: sim.baseUrlFor('ridge'), apiKey: 'ridge-key' },
    })
    .expect(201);
  await h.http.post('/api/v1/ops/stores/ridge/catalog-sync').set(bearer('ops-1', 'ops')).expect(201);
  dashboard = await openDashboardBrowser(h.app.app, 'mor-ops-catalog');
  ({ baseUrl, browser } = dashboard);
}, 60_000);

afterAll(async () => {
  await dashboard?.close();
  await h?.close();
  await sim?.close();
});

async function signedInPage(): Promise<Page> {
  const page = await (await browser.createBrowserContext()).newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      pageErrors.push(message.text());
  });
  await page.goto(`${baseUrl}/ops`);
  await page.waitForSelector('#token', { visible: true });
  await page.type('#token', tokenFor('ops-1', 'ops'));
  await page.click('#sign-in-form button[type=submit]');
  await page.waitForSelector('#who:not([hidden])');
  return page;
}

const textOf = (page: Page, selector: string) => page.$eval(selector, (el) => (el as HTMLElement).innerText);

describe('the Catalog section of the ops dashboard', () => {
  it('when a person syncs a store whose retailer raised a price, then the change shows for the store with both prices', async () => {
    sim.setPrice('ridge', 'PACK', 9400);
    const page = await signedInPage();
    await page.click('a[data-section="catalog"]');
    await page.waitForSelector('#catalog-store');
    await page.select('#catalog-store', 'ridge');
    await page.click('#show-changes');
    await page.waitForSelector('#sync-now');
    expect(await textOf(page, '#view')).toContain('No price changed at ridge yet.');

    await page.click('#sync-now');
    await page.waitForSelector('tr[data-sku="PACK"]');
    expect(await textOf(page, '#notice-status')).toContain('Synced Ridge Supply: 2 products read; 1 price changes');
    expect(await textOf(page, 'tr[data-sku="PACK"]')).toMatch(
      /Day pack\s+PACK\s+Ridge Supply\s+Price changed\s+\$89\.00\s+\$94\.00\s+\+\$5\.00/,
    );
    expect(await textOf(page, 'table.catalog-runs tbody tr:first-child')).toMatch(
      /by ops-1\s+Succeeded\s+2\s+0 new · 1 prices/,
    );
  });

  it('when the retailer is down, then the failed sync is explained with its error code and shown in the recent syncs', async () => {
    sim.injectFaults('ridge', { kind: 'status_503', scope: 'list_products', count: 100 });
    const page = await signedInPage();
    await page.goto(`${baseUrl}/ops#/catalog?kind=any&store=ridge`);
    await page.waitForSelector('#sync-now');
    await page.click('#sync-now');
    await page.waitForSelector('[data-testid="error-code"]');
    expect(await textOf(page, '[data-testid="error-code"]')).toBe('catalog_sync_failed');
    await page.waitForFunction(() =>
      document.querySelector('table.catalog-runs tbody tr:first-child')?.textContent?.includes('Failed'),
    );
    expect(await textOf(page, 'table.catalog-runs tbody tr:first-child')).toContain('(will be retried)');
    sim.clearFaults('ridge');
    expect(pageErrors).toEqual([]);
  });
});
