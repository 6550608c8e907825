import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import { systemClock, type Clock } from '../../domain/clock';
import { createControlRoutes } from './control-routes';
import { createShopRoutes } from './shop-routes';
import type { SpaMode } from './spa-mode';
import { createStoreState, type DemoOrder, type DemoProductInput, type StorefrontVariant } from './store-state';

export type { SpaMode } from './spa-mode';
export type { DemoAddress, DemoOrder, DemoOrderLine, DemoProductInput, StorefrontVariant } from './store-state';

export interface DemoStorefrontOptions {
  port?: number;
  host?: string;
  name?: string;
  credentials: { username: string; password: string };
  products: DemoProductInput[];
  /** Sales tax on the subtotal, e.g. 825 = 8.25 %, rounded half-up to the cent. */
  taxBasisPoints?: number;
  /** Flat shipping per order. */
  shippingCents?: number;
  /** Rows per page of `/account/orders`. */
  ordersPerPage?: number;
  clock?: Clock;
}

/** A running demo shop on loopback, plus the switches tests use to make it misbehave. */
export interface DemoStorefront {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly name: string;
  stop(): Promise<void>;
  /** Every order placed so far, oldest first (copies). */
  orders(): DemoOrder[];
  setOutOfStock(sku: string, outOfStock: boolean): void;
  /** Delays every shop response (not `/_store/*`) by this long. */
  setLatency(ms: number): void;
  /** `changed-button` renames the place-order button's id and text, as a retailer redesign would. */
  setVariant(variant: StorefrontVariant): void;
  setPrice(sku: string, cents: number): void;
  /** The next `n` place-order submissions answer a 500 error page and place nothing. */
  failNextCheckouts(n: number): void;
  /**
   * The next order is saved, then the connection is dropped unanswered. Browsers and fetch re-send a request whose
   * reused connection died like this; the re-sent one gets a 409 "no checkout in progress" page. Either way the
   * shopper never sees a confirmation, while the order exists.
   */
  crashAfterNextOrder(): void;
  /** Single-page-app behaviour: late history data, a toast over the page, a fading cookie banner (spa-mode.ts). */
  setSpaMode(mode: SpaMode | undefined): void;
  /** Clears every switch and restores list prices; orders stay. */
  reset(): void;
}

export async function startDemoStorefront({
  port = 0,
  host = '127.0.0.1',
  name = 'Demo Outfitters',
  credentials,
  products,
  taxBasisPoints = 0,
  shippingCents = 0,
  ordersPerPage = 10,
  clock = systemClock,
}: DemoStorefrontOptions): Promise<DemoStorefront> {
  const state = createStoreState({ products, taxBasisPoints, shippingCents });
  const app = express();
  app.disable('x-powered-by');
  app.use('/_store', createControlRoutes(state));
  app.use(async (_req, _res, next) => {
    if (state.switches.latencyMs > 0) await sleep(state.switches.latencyMs);
    next();
  });
  app.use(express.urlencoded({ extended: false }));
  app.use(createShopRoutes({ state, storeName: name, credentials, ordersPerPage, clock }));

  const server = app.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;

  return {
    url: `http://${host}:${address.port}`,
    name,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
    orders: () => state.orders(),
    setOutOfStock: (sku, outOfStock) => state.setOutOfStock(sku, outOfStock),
    setLatency: (ms) => void (state.switches.latencyMs = ms),
    setVariant: (variant) => void (state.switches.variant = variant),
    setPrice: (sku, cents) => state.setPrice(sku, cents),
    failNextCheckouts: (n) => void (state.switches.failingCheckouts = n),
    crashAfterNextOrder: () => void (state.switches.crashAfterNextOrder = true),
    setSpaMode: (mode) => void (state.switches.spa = mode),
    reset: () => state.reset(),
  };
}
