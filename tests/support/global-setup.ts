import type { Config } from 'jest';
import { PLATFORMS_ENV, TEST_PLATFORMS } from './test-platforms';

type Stop = () => Promise<void>;
const STOPS = Symbol.for('mor.testPlatforms.stops');

/**
 * Starts the real commerce platforms once for the whole jest run, in parallel, and hands their addresses to the
 * test files through an environment variable (workers inherit it). A run limited to some files starts only the
 * platforms those files name (`npx jest vendure` starts Vendure; `npx jest tests/orders.test.ts` starts none).
 */
export default async function globalSetup(globalConfig: { testPathPatterns?: { patterns?: string[] } } & Partial<Config>): Promise<void> {
  const patterns = globalConfig.testPathPatterns?.patterns ?? [];
  const wanted = TEST_PLATFORMS.filter(({ name }) => patterns.length === 0 || patterns.some((pattern) => pattern.toLowerCase().includes(name)));
  const started = await Promise.allSettled(wanted.map((platform) => platform.start()));
  const stops: Stop[] = [];
  const env: Record<string, unknown> = {};
  started.forEach((result, index) => {
    if (result.status === 'fulfilled') {
      const { stop, ...platform } = result.value;
      stops.push(stop);
      env[wanted[index].name] = platform;
    }
  });
  (globalThis as Record<symbol, unknown>)[STOPS] = stops;
  const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    await Promise.all(stops.map((stop) => stop()));
    throw failed.reason;
  }
  process.env[PLATFORMS_ENV] = JSON.stringify(env);
}
