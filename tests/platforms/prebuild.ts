import { buildEverShop, everShopEnv } from './evershop/start';

/**
 * Builds the test platforms ahead of the tests (CI runs it in the background during the type check); the jest
 * global setup then finds the build done, or waits for this one through the build lock instead of building twice.
 */
buildEverShop(
  everShopEnv({
    port: 3000,
    database: 'unused',
    pg: { host: '127.0.0.1', port: 5432, user: 'postgres' },
    baseUrl: 'http://127.0.0.1:3000',
  }),
  (line) => process.stderr.write(`[platforms] ${line}\n`),
).catch((error: Error) => {
  process.stderr.write(`[platforms] prebuild failed (the test setup will try again): ${error.message}\n`);
  process.exitCode = 1;
});
