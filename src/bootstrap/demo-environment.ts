import jwt from 'jsonwebtoken';
import type { Logger } from '../logger';
import demoRecipe from '../placement/recipes/demo-storefront-recipe.json';
import { startRetailerApiSimulator } from '../sandbox/retailer-api';
import { startDemoStorefront } from '../sandbox/storefront/demo-storefront';
import type { Services } from '../services/create-services';

/**
 * The loopback stand-ins a newcomer's `npm start` places orders with: a retailer API (the `api` adapter's
 * protocol) and a retailer web shop (driven by the `headless` adapter's recipe), plus three demo stores and
 * their products. Real retailers replace them by configuration; nothing here is used in production.
 */
export interface DemoEnvironment {
  retailerApiUrl: string;
  storefrontUrl: string;
  tokens: { shopper: string; ops: string; admin: string };
  stop(): Promise<void>;
}

const ACME_CATALOG = [
  { sku: 'TENT-2P', name: 'Two-person tent', priceCents: 12999 },
  { sku: 'MUG', name: 'Enamel camp mug', priceCents: 1250 },
  { sku: 'LANTERN', name: 'LED lantern', priceCents: 2999 },
];
const OUTFITTERS_CATALOG = [
  { sku: 'TEE-ORG', name: 'Organic cotton tee', priceCents: 2400, sizes: ['S', 'M', 'L'], colors: ['white', 'navy'] },
  { sku: 'HOODIE', name: 'Fleece hoodie', priceCents: 5800, sizes: ['M', 'L', 'XL'], colors: ['grey', 'black'] },
];
/** Sold by the demo retailer but never typed in by an admin: acme's first catalog sync brings it in. */
const ACME_RETAILER_ONLY = [{ sku: 'STOVE', name: 'Backpacking stove', priceCents: 4999 }];
const CORNER_CATALOG = [{ sku: 'CANDLE', name: 'Beeswax candle', priceCents: 1800 }];

export async function startDemoEnvironment(
  services: Services,
  jwtSecret: string,
  logger: Logger,
): Promise<DemoEnvironment> {
  const simulator = await startRetailerApiSimulator({ port: 0 });
  const acme = simulator.addRetailer('acme', {
    apiKey: 'acme-demo-key',
    shippingCents: 599,
    catalog: Object.fromEntries(
      [...ACME_CATALOG, ...ACME_RETAILER_ONLY].map((p) => [
        p.sku,
        { priceCents: p.priceCents, stock: 1000, name: p.name, productUrl: `https://example.com/acme/${p.sku}` },
      ]),
    ),
  });
  const storefront = await startDemoStorefront({
    port: 0,
    credentials: { username: 'buyer@mor.example', password: 'demo-password' },
    products: OUTFITTERS_CATALOG.map((p) => ({ ...p, stock: 1000 })),
  });

  const stores = [
    {
      slug: 'acme',
      name: 'Acme Outdoors',
      placementMethod: 'api' as const,
      fallbackMethod: 'manual' as const,
      placementConfig: { baseUrl: acme.baseUrl, apiKey: 'acme-demo-key', timeoutMs: 5000 },
      shipping: { flatCents: 599, freeAboveCents: 10000 },
      priceToleranceCents: 1000,
      catalog: ACME_CATALOG,
    },
    {
      slug: 'demo-outfitters',
      name: 'Demo Outfitters',
      placementMethod: 'headless' as const,
      fallbackMethod: 'manual' as const,
      placementConfig: {
        baseUrl: storefront.url,
        credentials: { username: 'buyer@mor.example', password: 'demo-password' },
        payment: { cardNumber: '4242424242424242', expiry: '12/30', cvc: '123' },
        recipe: demoRecipe,
      },
      priceToleranceCents: 1000,
      catalog: OUTFITTERS_CATALOG,
    },
    { slug: 'corner-shop', name: 'Corner Shop', placementMethod: 'manual' as const, catalog: CORNER_CATALOG },
  ];
  // Loopback ports change on every start, so the demo stores are re-pointed each time.
  for (const { catalog, slug, ...store } of stores) {
    const existing = (await services.catalog.listStores()).find((s) => s.slug === slug);
    if (existing) await services.catalog.updateStore(slug, store);
    else await services.catalog.createStore({ slug, ...store });
    for (const product of catalog) {
      await services.catalog.upsertProduct({
        storeSlug: slug,
        sku: product.sku,
        name: product.name,
        priceCents: product.priceCents,
        productUrl: `https://example.com/${slug}/${product.sku}`,
      });
    }
  }

  await seedDemoPromotions(services);

  const sign = (sub: string, role: string) =>
    jwt.sign({ sub, role }, jwtSecret, { algorithm: 'HS256', expiresIn: '30d' });
  const tokens = {
    shopper: sign('demo-shopper', 'shopper'),
    ops: sign('demo-ops', 'ops'),
    admin: sign('demo-admin', 'admin'),
  };
  logger.info({ retailerApi: simulator.url, storefront: storefront.url }, 'demo retailers running on loopback');
  return {
    retailerApiUrl: simulator.url,
    storefrontUrl: storefront.url,
    tokens,
    async stop() {
      await Promise.all([simulator.close(), storefront.stop()]);
    },
  };
}

/** The codes the demo talks about, and shipping choices at the corner shop (a person buys with the one chosen). */
async function seedDemoPromotions(services: Services): Promise<void> {
  const codes = [
    { code: 'SAVE10', kind: 'fixed_amount' as const, amountCents: 1000, percentOff: null, description: '$10 off' },
    {
      code: 'SAVE20',
      kind: 'percent' as const,
      amountCents: null,
      percentOff: 20,
      description: '20 % off the subtotal',
    },
    {
      code: 'FREESHIP',
      kind: 'free_shipping' as const,
      amountCents: null,
      percentOff: null,
      description: 'Free shipping from every store',
    },
    {
      code: 'WELCOME15',
      kind: 'percent' as const,
      amountCents: null,
      percentOff: 15,
      description: '15 % off a first order',
      firstOrderOnly: true,
    },
  ];
  for (const code of codes) {
    const exists = await services.promotions.get(code.code).then(
      () => true,
      () => false,
    );
    if (exists) continue;
    await services.promotions.create({
      minSubtotalCents: 0,
      firstOrderOnly: false,
      perCustomerLimit: null,
      totalLimit: null,
      startsAt: null,
      endsAt: null,
      ...code,
    });
  }
  await services.shippingOptions.set('corner-shop', [
    { id: 'ground', name: 'Ground', priceCents: 499, minDays: 3, maxDays: 7 },
    { id: 'express', name: 'Express', priceCents: 1299, minDays: 1, maxDays: 2 },
    { id: 'overnight', name: 'Overnight', priceCents: 2499, minDays: 1, maxDays: 1 },
  ]);
}
