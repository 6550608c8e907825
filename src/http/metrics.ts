import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface AppMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  checkoutsPlaced: Counter;
}

/** One registry per app instance, so several apps in one process (tests) never collide. */
export function createMetrics(): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    checkoutsPlaced: new Counter({
      name: 'checkouts_placed_total',
      help: 'Checkout sessions paid and split into orders',
      registers: [registry],
    }),
  };
}
