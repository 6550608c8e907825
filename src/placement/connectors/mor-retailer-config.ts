import { z } from 'zod';
import { PermanentPlacementError, type StoreCheck } from '../placement-adapter';
import { DEFAULT_PLATFORM, problemsOf } from './platform-connector';

/** A store's placementConfig for the retailer order API: where it is, the key, how long to wait. */
const configSchema = z.object({
  platform: z.literal(DEFAULT_PLATFORM).optional(),
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  apiKey: z.string({ error: 'is required' }).regex(/\S/, 'must not be empty'),
  timeoutMs: z
    .int({ error: 'must be an integer' })
    .min(100, 'must be at least 100')
    .max(120_000, 'must be at most 120000')
    .default(10_000),
});
export type ApiPlacementConfig = z.output<typeof configSchema>;

/** What is wrong with a store's config, by field; empty when it is complete. */
export function configProblems(config: unknown): Record<string, string> {
  const result = configSchema.safeParse(config);
  return result.success ? {} : problemsOf(result.error.issues);
}

/** The config, or the placement refused as `config_invalid` with the fields at fault. */
export function parseConfig(config: unknown): ApiPlacementConfig {
  const result = configSchema.safeParse(config);
  if (result.success) return result.data;
  throw new PermanentPlacementError('config_invalid', 'store placement config is invalid for the api adapter', {
    fields: configProblems(config),
  });
}

/** The store check's verdict on the config. */
export const configCheck = (problems: Record<string, string>): StoreCheck =>
  Object.keys(problems).length === 0
    ? { name: 'config', ok: true, message: 'placementConfig is complete' }
    : {
        name: 'config',
        ok: false,
        message: Object.entries(problems)
          .map(([field, problem]) => `${field} ${problem}`)
          .join('; '),
      };
