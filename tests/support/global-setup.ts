import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEverShop } from '../platforms/evershop/start';
import { PLATFORMS_ENV, TEST_PLATFORMS } from './test-platforms';

const STOPS = Symbol.for('mor.testPlatforms.stops');
type Stop = () => Promise<void>;
type GlobalConfig = { testPathPatterns?: { patterns?: string[] }; nonFlagArgs?: string[] };

/**
 * Starts the real commerce platforms once for the whole jest run, in parallel, and only when the run includes their
 * tests: every file when jest runs without a path filter, otherwise only a platform a filter names
 * (`npx jest vendure`). `TEST_PLATFORMS=none|all|vendure,evershop` overrides.
 *
 * Vendure (tests/support/test-platforms.ts) is launched without waiting: its tests wait until it serves while the
 * other files run. EverShop is waited for here, because its tests read the seed it makes from the environment,
 * which jest workers inherit when they are forked after this returns.
 */
export default async function globalSetup(globalConfig: GlobalConfig): Promise<void> {
  const names = wanted(globalConfig);
  const stops: Stop[] = [];
  (globalThis as Record<symbol, unknown>)[STOPS] = stops;

  const launchable = TEST_PLATFORMS.filter(({ name }) => names.has(name));
  const launched = await Promise.all(launchable.map((platform) => platform.launch()));
  const env: Record<string, unknown> = {};
  launched.forEach(({ ready, stop, ...platform }, index) => {
    const name = launchable[index]!.name;
    const startErrorFile = join(tmpdir(), `mor-test-platform-${name}-${process.pid}.error`);
    // Read by the test files that wait for it: a platform that cannot start fails them with its own words.
    ready.catch((error: Error) => writeFileSync(startErrorFile, error.message));
    env[name] = { ...platform, startErrorFile };
    stops.push(stop);
  });
  process.env[PLATFORMS_ENV] = JSON.stringify(env);

  if (names.has('evershop')) {
    try {
      const shop = await startEverShop({ log: (line) => process.stderr.write(`[platforms] ${line}\n`) });
      stops.push(shop.stop);
      Object.assign(process.env, {
        EVERSHOP_URL: shop.baseUrl,
        EVERSHOP_DB: shop.database,
        EVERSHOP_ADMIN_EMAIL: shop.seed.admin.email,
        EVERSHOP_ADMIN_PASSWORD: shop.seed.admin.password,
        EVERSHOP_SEED: JSON.stringify(shop.seed),
      });
    } catch (error) {
      await stopPlatforms();
      throw error;
    }
  }
}

const ALL = ['evershop', ...TEST_PLATFORMS.map(({ name }) => name)];

function wanted(globalConfig: GlobalConfig): Set<string> {
  const override = process.env.TEST_PLATFORMS;
  if (override === 'all') return new Set(ALL);
  if (override !== undefined) return new Set(override === 'none' ? [] : override.split(',').map((name) => name.trim()));
  const patterns = globalConfig.testPathPatterns?.patterns ?? globalConfig.nonFlagArgs ?? [];
  if (patterns.length === 0) return new Set(ALL);
  return new Set(ALL.filter((name) => patterns.some((pattern) => pattern.toLowerCase().includes(name))));
}

export async function stopPlatforms(): Promise<void> {
  const stops = ((globalThis as Record<symbol, unknown>)[STOPS] as Stop[] | undefined) ?? [];
  await Promise.all(stops.splice(0).map((stop) => stop().catch(() => undefined)));
}
