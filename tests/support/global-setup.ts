import { startEverShop } from '../platforms/evershop/start';

/**
 * Real third-party shops the platform tests run against, started once per jest run, in parallel. Each entry
 * exports what its tests need through environment variables (jest workers are forked after this runs).
 *
 * A platform starts when the run includes its tests: every test file when jest is run without a path filter,
 * otherwise only if a filter names it (`npx jest tests/evershop-checkout.test.ts`), so a single unrelated test
 * file does not wait for a shop to build and boot. `TEST_PLATFORMS=none|all|evershop,...` overrides.
 */
interface Platform {
  name: string;
  start(log: (line: string) => void): Promise<{ env: Record<string, string>; stop(): Promise<void> }>;
}

const PLATFORMS: Platform[] = [
  {
    name: 'evershop',
    async start(log) {
      const shop = await startEverShop({ log });
      return {
        env: {
          EVERSHOP_URL: shop.baseUrl,
          EVERSHOP_DB: shop.database,
          EVERSHOP_ADMIN_EMAIL: shop.seed.admin.email,
          EVERSHOP_ADMIN_PASSWORD: shop.seed.admin.password,
          EVERSHOP_SEED: JSON.stringify(shop.seed),
        },
        stop: shop.stop,
      };
    },
  },
];

type Stop = () => Promise<void>;
const STOPS = Symbol.for('mor.platformStops');

function wanted(globalConfig: { testPathPatterns?: unknown; nonFlagArgs?: string[] }): Set<string> {
  const override = process.env.TEST_PLATFORMS;
  if (override === 'all') return new Set(PLATFORMS.map((p) => p.name));
  if (override !== undefined) return new Set(override === 'none' ? [] : override.split(',').map((s) => s.trim()));
  const patterns = (globalConfig.testPathPatterns as { patterns?: string[] } | undefined)?.patterns ?? globalConfig.nonFlagArgs ?? [];
  if (patterns.length === 0) return new Set(PLATFORMS.map((p) => p.name));
  return new Set(PLATFORMS.filter((p) => patterns.some((pattern) => pattern.toLowerCase().includes(p.name))).map((p) => p.name));
}

export default async function globalSetup(globalConfig: { testPathPatterns?: unknown; nonFlagArgs?: string[] }): Promise<void> {
  const names = wanted(globalConfig);
  const log = (line: string) => process.stderr.write(`[platforms] ${line}\n`);
  const stops: Stop[] = [];
  (globalThis as Record<symbol, unknown>)[STOPS] = stops;
  const results = await Promise.allSettled(
    PLATFORMS.filter((p) => names.has(p.name)).map(async (platform) => {
      const started = await platform.start(log);
      stops.push(started.stop);
      Object.assign(process.env, started.env);
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(stops.map((stop) => stop().catch(() => undefined)));
    throw failed.reason;
  }
}

export async function stopPlatforms(): Promise<void> {
  const stops = ((globalThis as Record<symbol, unknown>)[STOPS] as Stop[] | undefined) ?? [];
  await Promise.all(stops.splice(0).map((stop) => stop().catch(() => undefined)));
}
