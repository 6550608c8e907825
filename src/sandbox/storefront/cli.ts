import { startDemoStorefront } from './demo-storefront';

/**
 * Runs the demo shop on its own: `npx tsx src/sandbox/storefront/cli.ts` (PORT, HOST, STORE_USERNAME and
 * STORE_PASSWORD override the defaults). Drive its faults with `curl -XPOST <url>/_store/...`.
 */
async function main(): Promise<void> {
  const credentials = {
    username: process.env.STORE_USERNAME ?? 'buyer@example.com',
    password: process.env.STORE_PASSWORD ?? 'demo-password',
  };
  const store = await startDemoStorefront({
    port: Number(process.env.PORT ?? 4100),
    host: process.env.HOST ?? '127.0.0.1',
    credentials,
    taxBasisPoints: 825,
    shippingCents: 599,
    products: [
      {
        sku: 'TEE-001',
        name: 'Organic Cotton Tee',
        priceCents: 2400,
        sizes: ['S', 'M', 'L', 'XL'],
        colors: ['black', 'white', 'sage'],
      },
      {
        sku: 'HOOD-002',
        name: 'Fleece Hoodie',
        priceCents: 6800,
        sizes: ['S', 'M', 'L'],
        colors: ['navy', 'grey'],
        stock: 25,
      },
      { sku: 'CAP-003', name: 'Canvas Cap', priceCents: 1900 },
    ],
  });
  process.stdout.write(`${store.name} listening on ${store.url} (sign in as ${credentials.username})\n`);
  const stop = () => void store.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
