import { existsSync, readFileSync } from 'node:fs';
import { launchVendure, startVendure, type VendurePlatform } from '../platforms/vendure/start';

/**
 * The real commerce platforms the tests buy from, launched once per jest run by the global setup
 * (tests/support/global-setup.ts), side by side and without waiting for them: the tests that need one wait until
 * it serves, the others run meanwhile. Add a platform here: its name (which its test files carry in their names),
 * how to launch and start it, and how to tell it serves.
 */
export const TEST_PLATFORMS = [
  {
    name: 'vendure',
    launch: launchVendure,
    start: startVendure,
    isServing: async (platform: PlatformInfo<VendurePlatform>) =>
      (
        await fetch(platform.shopApiUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"query":"{ activeChannel { code } }"}',
        })
      ).ok,
  },
] as const;

export type PlatformName = (typeof TEST_PLATFORMS)[number]['name'];
export type PlatformInfo<T extends { stop(): Promise<void> }> = Omit<T, 'stop'>;

/** The environment variable through which the global setup hands the platforms' addresses to the test files. */
export const PLATFORMS_ENV = 'MOR_TEST_PLATFORMS';

interface PlatformsByName {
  vendure: PlatformInfo<VendurePlatform>;
}

/** What the global setup hands over per platform: its addresses, and a file that says why it could not start. */
export type LaunchedInfo<N extends PlatformName> = PlatformsByName[N] & { startErrorFile: string };

/**
 * A running platform for a test file: the one the global setup launched (waiting until it serves), or, when it
 * did not launch it (a jest run for files whose names did not mention it), one started for this file alone.
 * `release` stops only the latter.
 */
export async function usePlatform<N extends PlatformName>(
  name: N,
  timeoutMs = 150_000,
): Promise<{ platform: PlatformsByName[N]; release(): Promise<void> }> {
  const entry = TEST_PLATFORMS.find((platform) => platform.name === name)!;
  const launched = (
    JSON.parse(process.env[PLATFORMS_ENV] ?? '{}') as Partial<{ [K in PlatformName]: LaunchedInfo<K> }>
  )[name];
  if (!launched) {
    const { stop, ...platform } = await entry.start();
    return { platform: platform as PlatformsByName[N], release: stop };
  }
  const { startErrorFile, ...platform } = launched;
  for (const deadline = Date.now() + timeoutMs; ; await new Promise((resolve) => setTimeout(resolve, 250))) {
    if (existsSync(startErrorFile)) throw new Error(`${name} did not start: ${readFileSync(startErrorFile, 'utf8')}`);
    if (await entry.isServing(platform).catch(() => false)) break;
    if (Date.now() > deadline) throw new Error(`${name} did not serve within ${timeoutMs} ms`);
  }
  return { platform: platform as PlatformsByName[N], release: async () => {} };
}
