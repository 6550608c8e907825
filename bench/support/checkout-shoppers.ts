import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { cpuUsed, sampleCpu, type CpuGroups, type CpuSample } from './cpu';
import type { HttpClient } from './http-client';
import { intOption } from './options';
import { BENCH_ADDRESS } from './seeded-order';

/**
 * The simulated shopper of the checkout benchmarks (bench:checkout against the service, bench:floor against the
 * floor server): each loops two cart items from two stores → session → shipping → payment → place, six requests
 * per checkout, and the run records per-step latencies and the CPU each process group used after the warm-up.
 */

export type Step = 'cart-add' | 'session' | 'shipping' | 'payment' | 'place';
export const STEPS: Step[] = ['cart-add', 'session', 'shipping', 'payment', 'place'];

export const STORES = ['north', 'south', 'east', 'west'].map((name) => ({
  slug: `bench-${name}`,
  name: `Bench ${name}`,
  skus: ['ONE', 'TWO', 'THREE'].map((sku, i) => ({ sku: `${name.toUpperCase()}-${sku}`, priceCents: 1500 + 700 * i })),
}));

export interface ShopperSettings {
  concurrency: number;
  durationS: number;
  maxCheckouts: number;
  /** Seconds run but not counted, so connection pools, JIT and prepared statements are warm when measuring. */
  warmupS: number;
}

/**
 * --concurrency (shoppers, 16), --duration (s, 20), --max-checkouts (5000), --warmup (s, 15; not counted). The
 * warm-up is long because V8 is still optimizing the service's code after a few seconds: with 3 s, a tenth of the
 * API's CPU in the window went to the optimizing compiler (perf) and its CPU per checkout read 11–14 ms, not 8.5.
 */
export function shopperSettings(): ShopperSettings {
  return {
    concurrency: intOption('concurrency', 16),
    durationS: intOption('duration', 20),
    maxCheckouts: intOption('max-checkouts', 5000),
    warmupS: intOption('warmup', 15),
  };
}

export const newJwtSecret = () => `bench-${randomBytes(12).toString('hex')}`;

export function signToken(secret: string, userId: string, role: 'shopper' | 'admin'): string {
  return jwt.sign({ sub: userId, role }, secret, { algorithm: 'HS256', expiresIn: '1h' });
}

export interface RunResult {
  settings: ShopperSettings;
  /** Checkouts started after the warm-up that were placed. */
  completed: number;
  /** Every checkout placed, warm-up included (what the database, Stripe and the queue should hold). */
  completedTotal: number;
  requests: number;
  elapsedMs: number;
  latencies: Record<Step, number[]>;
  errors: Map<string, number>;
  /** CPU milliseconds each process group used during the measured window. */
  cpu: Map<string, number> | null;
}

export async function runShoppers(
  http: HttpClient,
  options: {
    settings: ShopperSettings;
    cpuGroups: CpuGroups;
    jwtSecret: string;
    /** Called when the warm-up ends and the measured window starts (e.g. to start a profiler). */
    onMeasureStart?: () => void;
  },
): Promise<RunResult> {
  const { settings, cpuGroups } = options;
  const latencies = Object.fromEntries(STEPS.map((step) => [step, [] as number[]])) as Record<Step, number[]>;
  const errors = new Map<string, number>();
  const start = performance.now();
  const measureFrom = start + settings.warmupS * 1000;
  const stopAt = measureFrom + settings.durationS * 1000;
  let started = 0;
  let completed = 0;
  let completedTotal = 0;
  let requests = 0;
  let cpuBefore: CpuSample | null = null;
  const warmupTimer = setTimeout(() => {
    cpuBefore = sampleCpu(cpuGroups);
    options.onMeasureStart?.();
  }, settings.warmupS * 1000);

  async function shopper(index: number): Promise<void> {
    const headers = { authorization: `Bearer ${signToken(options.jwtSecret, `bench-shopper-${index}`, 'shopper')}` };
    for (let round = 0; ; round++) {
      const now = performance.now();
      const measured = now >= measureFrom;
      if (now >= stopAt || (measured && started >= settings.maxCheckouts)) return;
      if (measured) started += 1;
      const call = async (step: Step, method: string, path: string, body?: unknown, extra?: Record<string, string>) => {
        const t0 = performance.now();
        const response = await http.send(method, path, { headers: { ...headers, ...extra }, body });
        if (measured) {
          requests += 1;
          latencies[step].push(performance.now() - t0);
        }
        if (response.status >= 300) {
          const code = (response.body as { error?: { code?: string } })?.error?.code ?? '';
          const key = `${step} ${response.status} ${code}`.trim();
          errors.set(key, (errors.get(key) ?? 0) + 1);
          return null;
        }
        return response;
      };
      const [first, second] = [STORES[(index + round) % STORES.length]!, STORES[(index + round + 1) % STORES.length]!];
      const added =
        (await call('cart-add', 'POST', '/api/v1/cart/items', {
          storeSlug: first.slug,
          sku: first.skus[round % 3]!.sku,
          quantity: 1,
        })) &&
        (await call('cart-add', 'POST', '/api/v1/cart/items', {
          storeSlug: second.slug,
          sku: second.skus[index % 3]!.sku,
          quantity: 2,
        }));
      if (!added) continue;
      const session = await call('session', 'POST', '/api/v1/checkout/sessions');
      if (!session) continue;
      const path = `/api/v1/checkout/sessions/${(session.body as { data: { sessionId: string } }).data.sessionId}`;
      if (!(await call('shipping', 'PUT', `${path}/shipping`, BENCH_ADDRESS))) continue;
      if (!(await call('payment', 'PUT', `${path}/payment`, { paymentMethodId: 'pm_card_visa' }))) continue;
      const placed = await call('place', 'POST', `${path}/place`, undefined, {
        'idempotency-key': `place-${path.split('/').pop()}`,
      });
      if (!placed) continue;
      completedTotal += 1;
      if (measured) completed += 1;
    }
  }

  await Promise.all(Array.from({ length: settings.concurrency }, (_, i) => shopper(i)));
  clearTimeout(warmupTimer);
  const elapsedMs = performance.now() - measureFrom;
  const cpu = cpuUsed(cpuBefore, sampleCpu(cpuGroups));
  return { settings, completed, completedTotal, requests, elapsedMs, latencies, errors, cpu };
}
