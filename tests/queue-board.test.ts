import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS } from '../src/placement/browser-pool';
import { methodQueueName } from '../src/queue/placement-methods';
import { admin, ops, startPlacementHarness, type PlacementHarness } from './support/placement-harness';
import { bearer, tokenFor } from './support/tokens';

/** Bull Board under /ops/queues: the dashboard's sign-in, read-only for ops, retry and clean for admins. */
let h: PlacementHarness;
/** The api store's order waits on the api method queue. */
let apiQueue: string;
beforeAll(async () => {
  h = await startPlacementHarness({ startWorker: false });
  apiQueue = methodQueueName(h.queueName, 'api');
  const store = await h.createApiStore('board-api');
  await h.checkout('board-shopper', [{ storeSlug: store.slug, sku: 'MUG' }]);
}, 60_000);
afterAll(() => h?.close());

const cookieOf = (res: { headers: Record<string, unknown> }) =>
  String((res.headers['set-cookie'] as string[])[0]).split(';')[0]!;

describe('Bull Board', () => {
  it('answers 401 without an ops token, and 403 to a shopper', async () => {
    expect((await h.http.get('/ops/queues/').expect(401)).body.error.code).toBe('unauthorized');
    await h.http.get('/ops/queues/api/queues').expect(401);
    await h.http.post('/ops/queues/session').expect(401);
    await h.http.get('/ops/queues/api/queues').set(bearer('sam')).expect(403);
    await h.http.get('/ops/queues/api/queues').set('Cookie', 'ops_queues_token=not-a-token').expect(401);
  });

  it('when ops sign in, then the board shows the placement queue read-only and refuses its actions', async () => {
    const session = await h.http.post('/ops/queues/session').set(ops).expect(200);
    expect(session.body.data).toEqual({ board: '/ops/queues/', readOnly: true });
    const cookie = cookieOf(session);
    expect(String(session.headers['set-cookie'])).toMatch(/HttpOnly/i);
    expect(String(session.headers['set-cookie'])).toMatch(/SameSite=Strict/i);

    const page = await h.http.get('/ops/queues/').set('Cookie', cookie).expect(200);
    expect(page.text).toContain('<div id="root">');
    const queues = (await h.http.get('/ops/queues/api/queues').set('Cookie', cookie).expect(200)).body;
    // Every method's queue, and the single queue of earlier versions (drained by the workers).
    expect(queues.queues.map((q: { name: string }) => q.name).sort()).toEqual(
      [
        h.queueName,
        ...(['api', 'headless', 'manual'] as const).map((method) => methodQueueName(h.queueName, method)),
      ].sort(),
    );
    const queue = queues.queues.find((q: { name: string }) => q.name === apiQueue);
    expect(queue).toMatchObject({ readOnlyMode: true, allowRetries: false });
    expect(queue.counts.waiting).toBe(1);
    await h.http.put(`/ops/queues/api/queues/${apiQueue}/clean/waiting`).set('Cookie', cookie).expect(403);
    await h.http.put(`/ops/queues/api/queues/${apiQueue}/pause`).set(ops).expect(403);
  });

  it('when an admin signs in, then the board can clean the queue', async () => {
    const cookie = cookieOf(await h.http.post('/ops/queues/session').set(admin).expect(200));
    const queues = (await h.http.get('/ops/queues/api/queues').set('Cookie', cookie).expect(200)).body;
    expect(queues.queues.find((q: { name: string }) => q.name === apiQueue)).toMatchObject({
      readOnlyMode: false,
      allowRetries: true,
    });
    await h.http.put(`/ops/queues/api/queues/${apiQueue}/retry/failed`).set('Cookie', cookie).expect(200);
    await h.http.put(`/ops/queues/api/queues/${apiQueue}/clean/waiting`).set('Cookie', cookie).expect(200);
  });

  it('when ops open the board from the dashboard in Chromium, then it shows the placement queue', async () => {
    const server: Server = h.app.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const browser = await puppeteer.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
    });
    try {
      const page = await browser.newPage();
      page.setDefaultTimeout(15_000);
      await page.setViewport({ width: 1280, height: 800 });
      const refused: string[] = [];
      page.on('response', (response) => {
        if (response.status() >= 400) refused.push(`${response.status()} ${response.url()}`);
      });
      await page.goto(`${baseUrl}/ops#/stores`);
      await page.type('#token', tokenFor('olivia', 'ops'));
      await page.click('#sign-in-form button[type=submit]');
      await page.waitForSelector('#open-queue-board');
      await Promise.all([page.waitForNavigation(), page.click('#open-queue-board')]);
      expect(page.url()).toBe(`${baseUrl}/ops/queues/`);
      await page.waitForFunction((name) => document.body.innerText.includes(name), {}, apiQueue);
      await page.waitForNetworkIdle();
      expect(refused).toEqual([]);
      const shot = resolve(__dirname, '..', 'artifacts', 'tests', 'ops-queue-board.png');
      await mkdir(resolve(shot, '..'), { recursive: true });
      await page.screenshot({ path: shot });
    } finally {
      await browser.close();
      await new Promise((done) => server.close(done));
    }
  }, 60_000);
});
