import { createLogger } from '../../logger';
import { startRetailerApiSimulator } from './simulator';
import type { RetailerSetup } from './types';

/** Two demo retailers, so a store can be pointed at the simulator without any setup call. */
const DEMO_RETAILERS: Record<string, RetailerSetup> = {
  acme: {
    apiKey: 'acme-demo-key',
    catalog: {
      'ACME-TSHIRT': { priceCents: 2500, stock: 1000 },
      'ACME-HOODIE': { priceCents: 6000, stock: 250 },
      'ACME-MUG': { priceCents: 1200, stock: 500 },
    },
    taxBasisPoints: 825,
    shippingCents: 599,
    rejectedZips: ['00000'],
  },
  globex: {
    apiKey: 'globex-demo-key',
    catalog: {
      'GLX-SNEAKER': { priceCents: 8900, stock: 300 },
      'GLX-SOCKS': { priceCents: 900 },
      'GLX-CAP': { priceCents: 2200, stock: 0 },
    },
    taxBasisPoints: 0,
    shippingCents: 0,
  },
};

async function main(): Promise<void> {
  const logger = createLogger();
  const port = Number(process.env.RETAILER_SIM_PORT ?? 12112);
  const host = process.env.RETAILER_SIM_HOST ?? '127.0.0.1';
  const simulator = await startRetailerApiSimulator({ port, host });
  for (const [slug, setup] of Object.entries(DEMO_RETAILERS)) {
    const { baseUrl } = simulator.addRetailer(slug, setup);
    logger.info({ slug, baseUrl, skus: Object.keys(setup.catalog ?? {}) }, 'demo retailer ready');
  }
  logger.info({ url: simulator.url, controls: `${simulator.url}/_sim/retailers` }, 'retailer API simulator listening');

  const stop = (signal: string) => {
    logger.info({ signal }, 'retailer API simulator stopping');
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
