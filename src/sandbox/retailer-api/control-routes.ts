import type { IncomingMessage, ServerResponse } from 'node:http';
import { readJsonBody, sendEmpty, sendJson } from './http-io';
import {
  addRetailerBodySchema,
  faultSpecSchema,
  latencyBodySchema,
  parseOrThrow,
  priceBodySchema,
  stockBodySchema,
} from './schemas';
import { SimulatorError, type RetailerSimControls } from './types';

type Reply = { status: number; body?: unknown };
type ControlRoute = {
  method: string;
  /** Segments after `/_sim`; `:name` segments are captured, in order, into `params`. */
  pattern: string[];
  run(controls: RetailerSimControls, params: string[], req: IncomingMessage): Promise<Reply> | Reply;
};

const NO_CONTENT: Reply = { status: 204 };

/** One endpoint per method of `RetailerSimControls`, so a simulator in another process can be steered alike. */
const CONTROL_ROUTES: ControlRoute[] = [
  { method: 'GET', pattern: ['retailers'], run: (c) => ({ status: 200, body: { retailers: c.retailers() } }) },
  {
    method: 'POST',
    pattern: ['retailers'],
    run: async (c, _params, req) => {
      const { slug, ...setup } = parseOrThrow(addRetailerBodySchema, await readJsonBody(req), 'retailer');
      return { status: 201, body: c.addRetailer(slug, setup) };
    },
  },
  { method: 'DELETE', pattern: ['retailers', ':slug'], run: (c, [slug]) => (c.removeRetailer(slug!), NO_CONTENT) },
  {
    method: 'PUT',
    pattern: ['retailers', ':slug', 'latency'],
    run: async (c, [slug], req) => {
      c.setLatency(slug!, parseOrThrow(latencyBodySchema, await readJsonBody(req), 'latency').latencyMs);
      return NO_CONTENT;
    },
  },
  {
    method: 'PUT',
    pattern: ['retailers', ':slug', 'skus', ':sku', 'stock'],
    run: async (c, [slug, sku], req) => {
      c.setStock(slug!, sku!, parseOrThrow(stockBodySchema, await readJsonBody(req), 'stock').stock);
      return NO_CONTENT;
    },
  },
  {
    method: 'PUT',
    pattern: ['retailers', ':slug', 'skus', ':sku', 'price'],
    run: async (c, [slug, sku], req) => {
      c.setPrice(slug!, sku!, parseOrThrow(priceBodySchema, await readJsonBody(req), 'price').priceCents);
      return NO_CONTENT;
    },
  },
  {
    method: 'DELETE',
    pattern: ['retailers', ':slug', 'skus', ':sku'],
    run: (c, [slug, sku]) => (c.removeSku(slug!, sku!), NO_CONTENT),
  },
  {
    method: 'POST',
    pattern: ['retailers', ':slug', 'faults'],
    run: async (c, [slug], req) => {
      c.injectFaults(slug!, parseOrThrow(faultSpecSchema, await readJsonBody(req), 'fault'));
      return NO_CONTENT;
    },
  },
  {
    method: 'DELETE',
    pattern: ['retailers', ':slug', 'faults'],
    run: (c, [slug]) => (c.clearFaults(slug!), NO_CONTENT),
  },
  {
    method: 'GET',
    pattern: ['retailers', ':slug', 'orders'],
    run: (c, [slug]) => ({ status: 200, body: { orders: c.orders(slug!) } }),
  },
  {
    method: 'GET',
    pattern: ['retailers', ':slug', 'stats'],
    run: (c, [slug]) => ({ status: 200, body: c.stats(slug!) }),
  },
];

/** `/_sim/...`; `path` is what follows `/_sim`. */
export async function handleControlRequest(
  controls: RetailerSimControls,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  try {
    const segments = splitPath(path);
    for (const route of CONTROL_ROUTES) {
      const params = route.method === req.method ? matchPattern(route.pattern, segments) : undefined;
      if (!params) continue;
      const reply = await route.run(controls, params, req);
      return reply.body === undefined ? sendEmpty(res, reply.status) : sendJson(res, reply.status, reply.body);
    }
    sendJson(res, 404, { code: 'not_found', message: `no control ${req.method} /_sim${path}` });
  } catch (error) {
    if (!(error instanceof SimulatorError)) throw error;
    const status = error.code === 'invalid_request' ? 400 : 404;
    sendJson(res, status, { code: error.code, message: error.message, fields: error.fields });
  }
}

function matchPattern(pattern: string[], segments: string[]): string[] | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: string[] = [];
  for (const [index, part] of pattern.entries()) {
    if (part.startsWith(':')) params.push(segments[index]!);
    else if (part !== segments[index]) return undefined;
  }
  return params;
}

function splitPath(path: string): string[] {
  try {
    return path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new SimulatorError('invalid_request', 'malformed path');
  }
}
