import { readdir, readFile } from 'node:fs/promises';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { CHROMIUM_ARGS } from '../src/placement/browser-pool';
import { startDemoStorefront } from '../src/sandbox/storefront/demo-storefront';
import { intListOption, option } from './support/options';
import { runBenchmark } from './support/run';

/**
 * `npm run bench:browser-memory`: memory of one Chromium (the flags and one incognito context per page, as
 * src/placement/browser-pool.ts runs it) with N pages open at the demo storefront's checkout, each signed in with an
 * item in its cart: where the demo recipe fills in the address. Reports the browser's processes summed two ways:
 * RSS (counts shared pages once per process: an overestimate) and PSS (shares them out: what the machine loses),
 * then the marginal MiB per page (least squares over N) and the pages per GiB that gives.
 *
 * Settings (flag or BENCH_* env): --pages (list of N, default 1,2,4,8,12,16; the browser alone is measured first), --chromium (path).
 */
const settings = {
  pages: [0, ...intListOption('pages', [1, 2, 4, 8, 12, 16])],
  chromium: option('chromium', process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'),
};
const CREDENTIALS = { username: 'buyer@mor.example', password: 'storefront-password' };

interface Sample {
  pages: number;
  processes: number;
  rssMib: number;
  pssMib: number;
}

/** The browser's process and all its descendants (renderers, GPU, network, zygotes). */
async function processTree(root: number): Promise<number[]> {
  const parentOf = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid …; comm may hold spaces and parentheses, so split after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid) parentOf.set(Number(entry), ppid);
  }
  const tree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parentOf) {
      if (tree.has(ppid) && !tree.has(pid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return [...tree];
}

async function memoryOf(pids: number[]): Promise<{ rssKib: number; pssKib: number }> {
  let rssKib = 0;
  let pssKib = 0;
  for (const pid of pids) {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
    rssKib += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    pssKib += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
  }
  return { rssKib, pssKib };
}

/** A shopper's way to the checkout page, as the recipe takes it: sign in, add the item, open checkout. */
async function openCheckout(browser: Browser, baseUrl: string): Promise<Page> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  page.setDefaultTimeout(120_000);
  page.setDefaultNavigationTimeout(120_000);
  await page.goto(`${baseUrl}/login`);
  await page.type('#username', CREDENTIALS.username);
  await page.type('#password', CREDENTIALS.password);
  await Promise.all([page.waitForNavigation(), page.click('#sign-in')]);
  await page.goto(`${baseUrl}/products/HOODIE`);
  await page.select('#size', 'M');
  await page.select('#color', 'grey');
  await Promise.all([page.waitForNavigation(), page.click('#add-to-cart')]);
  await page.goto(`${baseUrl}/checkout`);
  await page.waitForSelector('#name');
  return page;
}

const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;

/** Least-squares slope of y over x. */
function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return num / den;
}

runBenchmark(async (defer) => {
  const storefront = await startDemoStorefront({
    credentials: CREDENTIALS,
    products: [
      { sku: 'HOODIE', name: 'Fleece hoodie', priceCents: 5800, sizes: ['M', 'L'], colors: ['grey', 'black'] },
    ],
    taxBasisPoints: 725,
  });
  defer('stop the storefront', () => storefront.stop());
  const samples: Sample[] = [];
  for (const count of settings.pages) {
    // A fresh browser per N: what a worker holds with N placements running, not what a long-lived one accumulated.
    const browser = await puppeteer.launch({ executablePath: settings.chromium, args: CHROMIUM_ARGS, headless: true });
    try {
      // Four at a time: on a small busy machine, opening sixteen at once times navigations out.
      const pages: Page[] = [];
      while (pages.length < count) {
        const batch = Math.min(4, count - pages.length);
        pages.push(...(await Promise.all(Array.from({ length: batch }, () => openCheckout(browser, storefront.url)))));
      }
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const pids = await processTree(browser.process()!.pid!);
      const { rssKib, pssKib } = await memoryOf(pids);
      samples.push({ pages: count, processes: pids.length, rssMib: mib(rssKib), pssMib: mib(pssKib) });
      console.log(`${count} page(s): ${pids.length} processes, RSS ${mib(rssKib)} MiB, PSS ${mib(pssKib)} MiB`);
    } finally {
      await browser.close();
    }
  }
  const withPages = samples.filter((s) => s.pages > 0);
  const perPageRss = slope(withPages.map((s) => ({ x: s.pages, y: s.rssMib })));
  const perPagePss = slope(withPages.map((s) => ({ x: s.pages, y: s.pssMib })));
  const base = samples.find((s) => s.pages === 0);
  console.log(`\nbrowser alone: ${base ? `RSS ${base.rssMib} MiB, PSS ${base.pssMib} MiB` : 'not measured'}`);
  console.log(
    `per page (slope over N=${withPages.map((s) => s.pages).join(',')}): RSS ${perPageRss.toFixed(1)} MiB, PSS ${perPagePss.toFixed(1)} MiB`,
  );
  console.log(`pages per GiB (PSS): ${(1024 / perPagePss).toFixed(1)}; (RSS): ${(1024 / perPageRss).toFixed(1)}`);
});
