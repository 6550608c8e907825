import {
  SimulatorError,
  type RemoteRetailerSimControls,
  type RetailerInfo,
  type SimulatedOrder,
  type SimulatorErrorCode,
} from './types';

export interface RemoteRetailerApiSimulator extends RemoteRetailerSimControls {
  readonly url: string;
  baseUrlFor(slug: string): string;
}

const KNOWN_CODES: readonly SimulatorErrorCode[] = ['retailer_not_found', 'sku_not_found', 'invalid_request'];

/**
 * Steers a simulator in another process (e.g. `npm run sandbox:retailers`) through its `/_sim` endpoints, with the
 * same methods as the in-process one, made async. `url` is the simulator's root, e.g. `http://127.0.0.1:12112`.
 */
export function connectRetailerApiSimulator(
  url: string,
  options: { fetch?: typeof fetch } = {},
): RemoteRetailerApiSimulator {
  const root = url.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? fetch;
  const retailer = (slug: string) => `/retailers/${encodeURIComponent(slug)}`;
  const sku = (slug: string, name: string) => `${retailer(slug)}/skus/${encodeURIComponent(name)}`;

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetchImpl(`${root}/_sim${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (response.ok) return parsed as T;
    const { code, message, fields } = (parsed ?? {}) as {
      code?: string;
      message?: string;
      fields?: Record<string, string>;
    };
    const detail = message ?? `HTTP ${response.status}`;
    if (KNOWN_CODES.includes(code as SimulatorErrorCode)) {
      throw new SimulatorError(code as SimulatorErrorCode, detail, fields);
    }
    throw new Error(`retailer simulator ${method} ${path}: ${response.status} ${code ?? ''} ${detail}`.trim());
  }

  return {
    url: root,
    baseUrlFor: (slug) => `${root}/retailers/${slug}`,
    addRetailer: (slug, setup) => call('POST', '/retailers', { ...setup, slug }),
    removeRetailer: (slug) => call('DELETE', retailer(slug)),
    retailers: async () => (await call<{ retailers: RetailerInfo[] }>('GET', '/retailers')).retailers,
    setLatency: (slug, latencyMs) => call('PUT', `${retailer(slug)}/latency`, { latencyMs }),
    setStock: (slug, name, stock) => call('PUT', `${sku(slug, name)}/stock`, { stock }),
    setPrice: (slug, name, priceCents) => call('PUT', `${sku(slug, name)}/price`, { priceCents }),
    removeSku: (slug, name) => call('DELETE', sku(slug, name)),
    injectFaults: (slug, fault) => call('POST', `${retailer(slug)}/faults`, fault),
    clearFaults: (slug) => call('DELETE', `${retailer(slug)}/faults`),
    orders: async (slug) => (await call<{ orders: SimulatedOrder[] }>('GET', `${retailer(slug)}/orders`)).orders,
    stats: (slug) => call('GET', `${retailer(slug)}/stats`),
  };
}
