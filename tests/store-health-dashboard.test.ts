import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { CHROMIUM_ARGS } from '../src/placement/browser-pool';
import { startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { seedOrderHistory } from './support/store-history';
import { bearer, tokenFor } from './support/tokens';

/** The Stores view in real Chromium: charts drawn, worst first, a store's failures with a screenshot, a pause. */
const SCREENSHOT = resolve(__dirname, '..', 'artifacts', 'tests', 'ops-stores-view.png');
const admin = bearer('admin-1', 'admin');
let h: CheckoutHarness;
let server: Server;
let baseUrl: string;
let browser: Browser;
let profileDir: string;
let artifactsDir: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  artifactsDir = await mkdtemp(join(tmpdir(), 'store-health-artifacts-'));
  h = await startCheckoutHarness({ artifactsDir });
  const create = async (slug: string, name: string, placementMethod: string, extra: Record<string, unknown> = {}) =>
    (
      await h.http
        .post('/api/v1/admin/stores')
        .set(admin)
        .send({ slug, name, placementMethod, ...extra })
        .expect(201)
    ).body.data.storeId as string;
  // Written directly: a headless store's recipe is beside the point here, its history is what the view shows.
  const [{ id: shaky }] = await h.database
    .db('stores')
    .insert({ slug: 'shaky-shop', name: 'Shaky Shop', placement_method: 'headless', fallback_method: 'manual' })
    .returning('id');
  const api = await create('good-api', 'Good API', 'api', {
    placementConfig: { baseUrl: 'http://127.0.0.1:9/good', apiKey: 'k' },
  });
  const people = await create('by-hand', 'By Hand', 'manual');

  profileDir = await mkdtemp(join(tmpdir(), 'mor-stores-view-'));
  browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    userDataDir: profileDir,
  });
  // A real PNG where the headless adapter would have saved the failure's screenshot.
  const shot = await browser.newPage();
  await shot.setContent('<h1 style="font-family:sans-serif">Checkout unavailable</h1><p>Please try again later.</p>');
  await shot.screenshot({ path: join(artifactsDir, 'MO-SHAKY00001-1-1.png') });
  await shot.close();

  const storeId = shaky as string;
  await seedOrderHistory(h.database.db, [
    {
      storeId,
      method: 'headless',
      status: 'failed',
      ageSeconds: 4000,
      failureReason: 'flow_broken',
      placementRefundCents: 4200,
      attempts: [
        {
          method: 'headless',
          outcome: 'permanent_error',
          errorCode: 'flow_broken',
          message: 'selector #place-order never appeared',
          details: {
            step: 'click #place-order',
            artifacts: { screenshot: join(artifactsDir, 'MO-SHAKY00001-1-1.png') },
          },
        },
      ],
    },
    {
      storeId,
      method: 'headless',
      status: 'placed',
      ageSeconds: 8000,
      placedAfterSeconds: 95,
      attempts: [
        { method: 'headless', outcome: 'transient_error', message: 'navigation timeout' },
        { method: 'headless', outcome: 'placed' },
      ],
    },
    {
      storeId: api,
      method: 'api',
      status: 'placed',
      ageSeconds: 600,
      placedAfterSeconds: 4,
      attempts: [{ method: 'api', outcome: 'placed' }],
    },
    {
      storeId: api,
      method: 'api',
      status: 'placed',
      ageSeconds: 1800,
      placedAfterSeconds: 6,
      attempts: [{ method: 'api', outcome: 'placed' }],
    },
    {
      storeId: people,
      method: 'manual',
      status: 'placed',
      ageSeconds: 5000,
      placedAfterSeconds: 900,
      task: { kind: 'place_order', status: 'done' },
      attempts: [{ method: 'manual', outcome: 'deferred' }],
    },
  ]);
  server = h.app.app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await rm(profileDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }).catch(() => undefined);
  await rm(artifactsDir, { recursive: true, force: true });
  if (server) await new Promise((done) => server.close(done));
  await h?.close();
});

async function signedInPage(): Promise<Page> {
  const page = await browser.newPage();
  page.setDefaultTimeout(10_000);
  await page.setViewport({ width: 1366, height: 1000 });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
  });
  page.on('request', (request) => {
    if (!request.url().startsWith(baseUrl) && !request.url().startsWith('data:'))
      pageErrors.push(`left the origin: ${request.url()}`);
  });
  await page.goto(`${baseUrl}/ops`);
  await page.waitForSelector('#token', { visible: true });
  await page.type('#token', tokenFor('olivia', 'ops'));
  await page.click('#sign-in-form button[type=submit]');
  await page.waitForSelector('#who', { visible: true });
  return page;
}

const drawn = (page: Page, id: string) => page.waitForSelector(`#${id}[data-drawn]`);

describe('the Stores view in Chromium', () => {
  it('when ops open Stores, then the charts are drawn, the worst store comes first, and a store opens its failures with the screenshot', async () => {
    const page = await signedInPage();
    await page.click('a[data-section="stores"]');
    for (const id of ['chart-success', 'chart-time', 'chart-manual']) await drawn(page, id);
    // Chart.js painted the bars: the canvas is no longer blank.
    const painted = await page.$eval('#chart-success', (c) => {
      const canvas = c as HTMLCanvasElement;
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let coloured = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) coloured++;
      return coloured;
    });
    expect(painted).toBeGreaterThan(500);
    const order = await page.$$eval('.store-table tbody tr', (rows) =>
      rows.map((r) => `${r.getAttribute('data-store')}:${r.querySelector('[data-testid=success-rate]')!.textContent}`),
    );
    expect(order).toEqual(['shaky-shop:50.0 %', 'by-hand:100.0 %', 'good-api:100.0 %']);

    await page.click('tr[data-store="shaky-shop"] a');
    await drawn(page, 'chart-series');
    await page.waitForSelector('#failures li');
    const failures = await page.$$eval('#failures li .reason', (items) => items.map((i) => i.textContent));
    expect(failures).toEqual([
      'flow_broken selector #place-order never appeared (at step click #place-order)',
      'navigation timeout',
    ]);
    await page.click('#failures li .show-screenshot');
    await page.waitForFunction(
      () => (document.querySelector('#failures .screenshot img') as HTMLImageElement | null)?.naturalWidth ?? 0 > 0,
    );

    await mkdir(resolve(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it('when ops pause a store from its page with a reason, then it shows paused with who and why, and resumes', async () => {
    const page = await signedInPage();
    await page.goto(`${baseUrl}/ops#/stores/good-api?window=24h`);
    await page.waitForSelector('#pause-form');
    await page.click('#pause-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#pause-reason-error')?.textContent?.includes('Say why'));
    await page.type('#pause-reason', 'retailer asked us to hold orders');
    await page.click('#pause-form button[type=submit]');
    await page.waitForSelector('#resume-form');
    expect(await page.$eval('#lever-history', (el) => el.textContent)).toContain(
      'Pause by olivia: retailer asked us to hold orders',
    );
    expect(await page.$eval('tr[data-store="good-api"]', (el) => el.textContent)).toContain('Paused');

    await page.type('#pause-reason', 'hold lifted');
    await page.click('#resume-form button[type=submit]');
    await page.waitForSelector('#pause-form');
    expect((await h.database.db('stores').where({ slug: 'good-api' }).first()).paused_at).toBeNull();
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 60_000);
});
