import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../src/logger';
import { createBrowserPool } from '../src/placement/browser-pool';
import { createHeadlessPlacementAdapter } from '../src/placement/headless-adapter';
import recipe from '../src/placement/recipes/evershop-recipe.json';
import { connectEverShopAdmin } from '../tests/platforms/evershop/admin-client';
import { startEverShop } from '../tests/platforms/evershop/start';

/**
 * place → placed on a real EverShop: `--orders` (default 20) one-line orders placed one after another through
 * the shipped recipe, each timed from `adapter.place` to the placed result. Prints p50, p95 and max.
 */
const argOf = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : Number(process.env[`BENCH_${name.toUpperCase()}`] ?? fallback);
};

async function main() {
  const orders = argOf('orders', 20);
  const shop = await startEverShop({ log: (line) => console.error(line) });
  const artifactsDir = await mkdtemp(join(tmpdir(), 'bench-evershop-'));
  const pool = createBrowserPool({ maxPages: 1 });
  try {
    const admin = await connectEverShopAdmin(shop.baseUrl, shop.seed.admin);
    const customer = { username: `bench-${Date.now()}@example.test`, password: 'Bench12345!' };
    await admin.createCustomer({ email: customer.username, password: customer.password, fullName: 'Bench Buyer' });
    const adapter = createHeadlessPlacementAdapter({ browserPool: pool, artifactsDir });
    const [tee] = shop.seed.products;
    const durations: number[] = [];
    for (let n = 1; n <= orders; n += 1) {
      const quantity = 1 + (n % 3);
      const subtotalCents = tee!.priceCents * quantity;
      const started = process.hrtime.bigint();
      await adapter.place(
        {
          orderNumber: `MO-BENCH${Date.now().toString(36).toUpperCase()}${n}`,
          storeSlug: 'evershop',
          storeName: 'EverShop',
          currency: 'USD',
          items: [
            {
              orderItemId: 'oi_1',
              sku: tee!.sku,
              name: tee!.name,
              quantity,
              unitPriceCents: tee!.priceCents,
              totalPriceCents: subtotalCents,
            },
          ],
          shippingAddress: {
            name: 'Bench Buyer',
            address1: '1 Bench Way',
            address2: '',
            city: 'Austin',
            state: 'TX',
            zip: '78701',
            country: 'US',
            phone: '+15125550100',
          },
          subtotalCents,
          shippingCents: shop.seed.shippingCents,
          taxCents: 0,
          totalCents: subtotalCents + shop.seed.shippingCents,
        },
        {
          config: {
            baseUrl: shop.baseUrl,
            credentials: customer,
            recipe,
            concurrency: 1,
            navigationTimeoutMs: 60_000,
            selectorTimeoutMs: 20_000,
          },
          priceToleranceCents: 0,
          attempt: 1,
          logger: silentLogger,
        },
      );
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      durations.push(ms);
      console.error(`order ${n}/${orders}: ${(ms / 1000).toFixed(1)} s`);
    }
    const sorted = [...durations].sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
    console.log(
      JSON.stringify({
        orders,
        p50s: +(pct(50) / 1000).toFixed(1),
        p95s: +(pct(95) / 1000).toFixed(1),
        maxS: +(sorted.at(-1)! / 1000).toFixed(1),
        firstS: +(durations[0]! / 1000).toFixed(1),
      }),
    );
  } finally {
    await pool.close();
    await shop.stop();
    await rm(artifactsDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
