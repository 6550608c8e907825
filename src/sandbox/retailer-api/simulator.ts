import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleControlRequest } from './control-routes';
import { sendJson } from './http-io';
import { RetailerRegistry } from './retailer-registry';
import { handleRetailerRequest } from './retailer-routes';
import type { RetailerSimControls } from './types';

export interface RetailerApiSimulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
}

/** A loopback stand-in for many partner retailers at once: `{url}/retailers/:slug` is one retailer's `baseUrl`. */
export interface RetailerApiSimulator extends RetailerSimControls {
  /** `http://host:port`, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  /** The `placementConfig.baseUrl` of a store that buys from this retailer. */
  baseUrlFor(slug: string): string;
  /** Stops listening and destroys open sockets, including requests held by a `timeout` fault. */
  close(): Promise<void>;
}

const RETAILER_PATH = /^\/retailers\/([^/]+)(\/.*)?$/;
const CONTROL_PATH = /^\/_sim(\/.*)?$/;

export async function startRetailerApiSimulator(
  options: RetailerApiSimulatorOptions = {},
): Promise<RetailerApiSimulator> {
  const { port = 0, host = '127.0.0.1' } = options;
  let url = '';
  const baseUrlFor = (slug: string) => `${url}/retailers/${slug}`;
  const registry = new RetailerRegistry(baseUrlFor);

  const server = createServer((req, res) => {
    dispatch(registry, req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else
        sendJson(res, 500, { code: 'internal_error', message: error instanceof Error ? error.message : String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const boundPort = (server.address() as AddressInfo).port;
  url = `http://${urlHost(host)}:${boundPort}`;

  return {
    ...bindControls(registry),
    url,
    port: boundPort,
    baseUrlFor,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function dispatch(registry: RetailerRegistry, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { pathname, searchParams } = new URL(req.url ?? '/', 'http://simulator');
  const retailerMatch = RETAILER_PATH.exec(pathname);
  if (retailerMatch) {
    const retailer = registry.find(retailerMatch[1]!);
    if (!retailer) return sendJson(res, 404, { code: 'not_found', message: 'no such retailer' });
    return handleRetailerRequest(retailer, req, res, retailerMatch[2] ?? '/', searchParams);
  }
  const controlMatch = CONTROL_PATH.exec(pathname);
  if (controlMatch) return handleControlRequest(registry, req, res, controlMatch[1] ?? '/');
  sendJson(res, 404, { code: 'not_found', message: `no route ${req.method} ${pathname}` });
}

/** The registry's control methods, bound, so `const { stats } = sim` works like any other property. */
function bindControls(registry: RetailerRegistry): RetailerSimControls {
  return {
    addRetailer: registry.addRetailer.bind(registry),
    removeRetailer: registry.removeRetailer.bind(registry),
    retailers: registry.retailers.bind(registry),
    setLatency: registry.setLatency.bind(registry),
    setStock: registry.setStock.bind(registry),
    setPrice: registry.setPrice.bind(registry),
    removeSku: registry.removeSku.bind(registry),
    injectFaults: registry.injectFaults.bind(registry),
    clearFaults: registry.clearFaults.bind(registry),
    orders: registry.orders.bind(registry),
    stats: registry.stats.bind(registry),
  };
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
