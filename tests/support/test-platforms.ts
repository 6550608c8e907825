import { startVendure, type VendurePlatform } from '../platforms/vendure/start';

/**
 * The real commerce platforms the tests buy from, started once per jest run, side by side, by the global setup
 * (tests/support/global-setup.ts). Add a platform here: its name (which its test files carry in their names) and
 * its start function.
 */
export const TEST_PLATFORMS = [{ name: 'vendure', start: startVendure }] as const;

export type PlatformName = (typeof TEST_PLATFORMS)[number]['name'];
export type PlatformInfo<T extends { stop(): Promise<void> }> = Omit<T, 'stop'>;

/** The environment variable through which the global setup hands the platforms' addresses to the test files. */
export const PLATFORMS_ENV = 'MOR_TEST_PLATFORMS';

interface PlatformsByName {
  vendure: PlatformInfo<VendurePlatform>;
}

/**
 * A running platform for a test file: the one the global setup started, or, when it did not start it (a jest run
 * for files whose names did not mention it), one started for this file alone. `release` stops only the latter.
 */
export async function usePlatform<N extends PlatformName>(name: N): Promise<{ platform: PlatformsByName[N]; release(): Promise<void> }> {
  const started = JSON.parse(process.env[PLATFORMS_ENV] ?? '{}') as Partial<PlatformsByName>;
  const shared = started[name];
  if (shared) return { platform: shared, release: async () => {} };
  const own = await TEST_PLATFORMS.find((platform) => platform.name === name)!.start();
  const { stop, ...platform } = own;
  return { platform: platform as PlatformsByName[N], release: stop };
}
