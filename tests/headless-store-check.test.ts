import { createServer } from 'node:net';
import {
  admin,
  startPlacementHarness,
  STOREFRONT_CREDENTIALS,
  type PlacementHarness,
} from './support/placement-harness';

type Check = { name: string; ok: boolean; message: string };

let h: PlacementHarness;
beforeAll(async () => {
  h = await startPlacementHarness({ startWorker: false });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const check = async (harness: PlacementHarness, slug: string) =>
  (await harness.http.post(`/api/v1/admin/stores/${slug}/check`).set(admin).expect(200)).body.data.checks as Check[];
const byName = (checks: Check[]) => Object.fromEntries(checks.map(({ name, ...rest }) => [name, rest]));
/** A loopback port nothing listens on (Chromium refuses "unsafe" ports such as 9 outright). */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
const configOf = async (harness: PlacementHarness, slug: string) =>
  (await harness.database.db('stores').where({ slug }).first()).placement_config as Record<string, unknown>;

describe('POST /admin/stores/:slug/check for a headless store', () => {
  it("when the store is set up right, then it signs in, opens the recipe's first page in Chromium, and buys nothing", async () => {
    const store = await h.createHeadlessStore('hchk-good');
    const checks = await check(h, store.slug);
    expect(checks.map((c) => c.name)).toEqual(['config', 'browser', 'signIn', 'firstPage']);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    const named = byName(checks);
    expect(named.browser.message).toMatch(/^Chromium available \(.*Chrom/);
    expect(named.signIn.message).toBe(`signed in to ${h.storefront.url} as ${STOREFRONT_CREDENTIALS.username}`);
    // The demo recipe's first page is a product page: opened for a product of the store's catalog.
    expect(named.firstPage.message).toMatch(
      new RegExp(`^opened ${h.storefront.url}/products/[A-Z0-9-]+ \\(for [A-Z0-9-]+\\) \\(HTTP 200\\)$`),
    );
    expect(h.storefront.orders()).toEqual([]);
  }, 60_000);

  it('when the credentials are wrong, then the sign-in check fails saying so, the first page is not tried, and the password is not shown', async () => {
    const store = await h.createHeadlessStore('hchk-badpass');
    const config = await configOf(h, store.slug);
    await h.http
      .put(`/api/v1/admin/stores/${store.slug}`)
      .set(admin)
      .send({
        placementConfig: {
          ...config,
          credentials: { username: STOREFRONT_CREDENTIALS.username, password: 'not-the-password-xyz' },
        },
      })
      .expect(200);
    const checks = await check(h, store.slug);
    expect(checks.map((c) => c.name)).toEqual(['config', 'browser', 'signIn']);
    expect(byName(checks).signIn).toEqual({
      ok: false,
      message: expect.stringMatching(
        new RegExp(
          `^could not sign in to ${h.storefront.url} as ${STOREFRONT_CREDENTIALS.username}: the retailer refused our sign-in: check the store's credentials`,
        ),
      ),
    });
    expect(JSON.stringify(checks)).not.toContain('not-the-password-xyz');
    expect(h.storefront.orders()).toEqual([]);
  }, 60_000);

  it('when the shop cannot be reached, then the sign-in check names the page it could not open', async () => {
    const store = await h.createHeadlessStore('hchk-unreachable');
    const config = await configOf(h, store.slug);
    const baseUrl = `http://127.0.0.1:${await closedPort()}`;
    await h.http
      .put(`/api/v1/admin/stores/${store.slug}`)
      .set(admin)
      .send({ placementConfig: { ...config, baseUrl } })
      .expect(200);
    const named = byName(await check(h, store.slug));
    expect(named.signIn).toEqual({
      ok: false,
      message: expect.stringContaining(`could not sign in to ${baseUrl} as ${STOREFRONT_CREDENTIALS.username}: `),
    });
    expect(named.signIn.message).toMatch(/ERR_CONNECTION_REFUSED.*\(at signIn\.steps\.0, /);
    expect(named.firstPage).toBeUndefined();
  }, 60_000);

  it('when the saved config is broken, then only the config check answers, naming the fields', async () => {
    const store = await h.createHeadlessStore('hchk-config');
    await h.database
      .db('stores')
      .where({ slug: store.slug })
      .update({ placement_config: { baseUrl: 'nope', credentials: { username: 'u' } } });
    const checks = await check(h, store.slug);
    expect(checks).toEqual([
      { name: 'config', ok: false, message: expect.stringMatching(/baseUrl.*credentials\.password.*recipe required/) },
    ]);
  }, 30_000);
});

describe('POST /admin/stores/:slug/check with Chromium missing', () => {
  let broken: PlacementHarness;
  beforeAll(async () => {
    // The harness's browser pool reads CHROMIUM_PATH when it is made, as the service does at start-up.
    const saved = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = '/nonexistent/chromium';
    try {
      broken = await startPlacementHarness({ startWorker: false });
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = saved;
    }
  }, 60_000);
  afterAll(async () => {
    await broken?.close();
  });

  it('fails the browser check with the reason, and tries nothing after it', async () => {
    const store = await broken.createHeadlessStore('hchk-nochrome');
    const checks = await check(broken, store.slug);
    expect(checks).toEqual([
      { name: 'config', ok: true, message: expect.any(String) },
      {
        name: 'browser',
        ok: false,
        message: expect.stringMatching(
          /^Chromium is not available: \/nonexistent\/chromium is missing or not executable/,
        ),
      },
    ]);
    expect(broken.storefront.orders()).toEqual([]);
  }, 30_000);
});
