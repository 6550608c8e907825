import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLATFORMS_ENV, TEST_PLATFORMS } from './test-platforms';

const STOPS = Symbol.for('mor.testPlatforms.stops');

/**
 * Launches the real commerce platforms once for the whole jest run, in parallel, and returns without waiting for
 * them: their addresses go to the test files through an environment variable (workers inherit it), and a test
 * file that needs one waits until it serves (`usePlatform`) while the other files already run. A run limited to
 * some files launches only the platforms those files name (`npx jest vendure` launches Vendure;
 * `npx jest tests/orders.test.ts` none).
 */
export default async function globalSetup(globalConfig: { testPathPatterns?: { patterns?: string[] } }): Promise<void> {
  const patterns = globalConfig.testPathPatterns?.patterns ?? [];
  const wanted = TEST_PLATFORMS.filter(({ name }) => patterns.length === 0 || patterns.some((pattern) => pattern.toLowerCase().includes(name)));
  const launched = await Promise.all(wanted.map((platform) => platform.launch()));
  const env: Record<string, unknown> = {};
  launched.forEach(({ ready, stop, ...platform }, index) => {
    const name = wanted[index]!.name;
    const startErrorFile = join(tmpdir(), `mor-test-platform-${name}-${process.pid}.error`);
    // Read by the test files that wait for it: a platform that cannot start fails them with its own words.
    ready.catch((error: Error) => writeFileSync(startErrorFile, error.message));
    env[name] = { ...platform, startErrorFile };
  });
  (globalThis as Record<symbol, unknown>)[STOPS] = launched.map((platform) => platform.stop);
  process.env[PLATFORMS_ENV] = JSON.stringify(env);
}
