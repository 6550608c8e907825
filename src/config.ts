import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { HttpSettings } from './http/http-settings';

/**
 * The environment, validated once at start-up. Every problem is reported at once, by variable name, so a
 * deployer fixes them in one go. Unset DATABASE_URL / REDIS_URL / STRIPE_SECRET_KEY select the embedded
 * defaults (PGlite, in-process placement, the Stripe sandbox) so `npm start` works on a fresh machine.
 */
/**
 * Pages per GiB of a Chromium at the demo checkout. Measured (`npm run bench:browser-memory`, README "Browser
 * memory"): a page adds 51–64 MiB of PSS (16–20 per GiB); 12 leaves a third for the heap a real shop's scripts grow.
 */
const BROWSER_PAGES_PER_GIB_MEASURED = 12;

const httpSettingsSchema = {
  /** Strict-Transport-Security max-age; 0 sends none. Defaults to 180 days in production (behind TLS), 0 otherwise. */
  HSTS_MAX_AGE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 * 365 * 86_400)
    .optional(),
  /** Serve /api/docs: defaults to on, and to off in production. */
  API_DOCS: z.enum(['on', 'off']).optional(),
  /** When set, /metrics asks for `Authorization: Bearer <it>`; unset, /metrics is open, and closed in production. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').max(200).optional(),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** Per shopper per window on place and payment-method changes; 0 turns the limit off. */
  RATE_LIMIT_SHOPPER_PAYMENTS: z.coerce.number().int().min(0).max(1_000_000).default(30),
  /** Per client IP per window on unauthenticated routes and webhooks; 0 turns the limit off. */
  RATE_LIMIT_ANONYMOUS: z.coerce.number().int().min(0).max(1_000_000).default(600),
};

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** API processes sharing PORT (node:cluster); 1 runs the API in this process. The worker ignores it. */
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(20),
  EMBEDDED_DATA_DIR: z.string().default('./data/pglite'),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  PLACEMENT_QUEUE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('placements'),
  /** How long finished placement jobs (and their routes) stay in Redis to swallow duplicate enqueues; ≈1.7 KB each. */
  PLACEMENT_DEDUPE_HOURS: z.coerce
    .number()
    .min(1)
    .max(24 * 30)
    .default(24 * 7),
  JWT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^sk_(test|live)_/, 'must look like sk_test_… or sk_live_…')
    .optional(),
  STRIPE_API_URL: z.url({ protocol: /^https?$/ }).optional(),
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  CHECKOUT_SESSION_TTL_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  /** How long a place may hold its session before another instance may finish it (after a crash). */
  PLACE_LEASE_SECONDS: z.coerce.number().int().min(1).max(600).default(30),
  /** at_place: charge the checkout when it is placed; after_placement: authorize then, capture what was placed. */
  CAPTURE_POLICY: z.enum(['at_place', 'after_placement']).default('at_place'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ARTIFACTS_DIR: z.string().default('./artifacts'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(50),
  WORKER_STORE_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(10),
  /** How long a worker may go silent before BullMQ hands its job to another worker. */
  WORKER_LOCK_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  WORKER_STALLED_CHECK_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  /** How often a running placement renews its store slot; a dead worker's slots are free 3 heartbeats later. */
  WORKER_HEARTBEAT_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
  /** A fixed number of Chromium pages per process; unset, the count follows memory (the three settings below). */
  BROWSER_MAX_PAGES: z.coerce.number().int().min(1).max(256).optional(),
  /** Pages one GiB holds at a checkout; the default is measured (README, "Browser memory"). */
  BROWSER_PAGES_PER_GIB: z.coerce.number().positive().max(1000).default(BROWSER_PAGES_PER_GIB_MEASURED),
  /** Memory the browser may use; unset, the machine's (or container's) memory less the reserve. */
  BROWSER_MEMORY_MIB: z.coerce.number().int().min(64).max(4_194_304).optional(),
  /** Kept for the worker process, the browser's own processes and the system when the budget is derived. */
  BROWSER_MEMORY_RESERVE_MIB: z.coerce.number().int().min(0).max(4_194_304).default(1024),
  /** The placement methods a worker takes jobs for (api, headless, manual); `--methods` wins. Unset: all. */
  PLACEMENT_METHODS: z
    .string()
    .regex(/^[a-z, ]*$/)
    .optional(),
  CHROMIUM_PATH: z.string().default('/usr/bin/chromium'),
  /** Outbound events: SMTP for the shopper's mails (none: kept in the database, shown in the dashboard). */
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  MAIL_FROM: z.string().min(3).default('Orders <orders@mor-checkout.local>'),
  EVENTS_QUEUE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('events'),
  /** First retry of a webhook or mail; each next one doubles (13 tries over about 2.8 days by default). */
  EVENT_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(60_000),
  EVENT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(30).default(13),
  WEBHOOK_DISABLE_AFTER_HOURS: z.coerce
    .number()
    .min(0.001)
    .max(24 * 30)
    .default(72),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** How often a connected retailer's catalog is read again (stores whose connection can read it); 0 turns it off. */
  CATALOG_SYNC_INTERVAL_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(15),
  /** Testing only: kill the process (SIGKILL) the first time it reaches this saga step. Refused in production. */
  CHAOS_CRASH_AT: z.string().max(100).optional(),
  ...httpSettingsSchema,
});

/** Where the token secret came from: the environment, the embedded demo's fixed one, or a random one per start. */
export type JwtSecretSource = 'env' | 'development' | 'random';

export type Config = z.infer<typeof schema> & {
  jwtSecret: string;
  jwtSecretSource: JwtSecretSource;
  /** Things a deployer must read; the entry points log each one loudly. */
  warnings: string[];
  http: HttpSettings;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const DEVELOPMENT_JWT_SECRET = 'development-only-jwt-secret-change-me';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const config = parsed.data;
  const problems: string[] = [];
  if (config.NODE_ENV === 'production') {
    if (!config.JWT_SECRET) problems.push('JWT_SECRET: required in production');
    if (!config.DATABASE_URL)
      problems.push('DATABASE_URL: required in production (the embedded database is for development)');
    if (!config.STRIPE_SECRET_KEY) problems.push('STRIPE_SECRET_KEY: required in production');
    if (config.CHAOS_CRASH_AT)
      problems.push('CHAOS_CRASH_AT: a test switch that kills the process; never set in production');
  }
  if (config.WEB_CONCURRENCY > 1 && (!config.DATABASE_URL || !config.REDIS_URL)) {
    // The embedded database serves one process, and each process's in-process queue would place its own orders.
    problems.push(
      'WEB_CONCURRENCY: several API processes need DATABASE_URL and REDIS_URL (a shared database and queue)',
    );
  }
  if (config.WEB_CONCURRENCY > 1 && !config.JWT_SECRET) {
    problems.push('JWT_SECRET: several API processes must share one token secret');
  }
  if (config.STRIPE_SECRET_KEY?.startsWith('sk_live_') && config.STRIPE_API_URL) {
    problems.push('STRIPE_API_URL: a live key must talk to Stripe itself, not to a sandbox');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...config, ...chooseJwtSecret(config), ...httpSettingsDefaults(config) };
}

/**
 * The secret written in this file may sign tokens only while the whole service runs on its embedded defaults (no
 * DATABASE_URL, no Stripe key): a demo on one machine. With a real database or payment key and no JWT_SECRET,
 * every start makes a random secret, so no token anyone could forge from the source is ever accepted there.
 */
function chooseJwtSecret(config: z.infer<typeof schema>): Pick<Config, 'jwtSecret' | 'jwtSecretSource' | 'warnings'> {
  if (config.JWT_SECRET) return { jwtSecret: config.JWT_SECRET, jwtSecretSource: 'env', warnings: [] };
  if (!config.DATABASE_URL && !config.STRIPE_SECRET_KEY) {
    return {
      jwtSecret: DEVELOPMENT_JWT_SECRET,
      jwtSecretSource: 'development',
      warnings: ['JWT_SECRET is not set: tokens are signed with the public development secret (embedded demo only)'],
    };
  }
  return {
    jwtSecret: randomBytes(32).toString('base64url'),
    jwtSecretSource: 'random',
    warnings: [
      'JWT_SECRET is not set while DATABASE_URL or STRIPE_SECRET_KEY is: tokens are signed with a random secret made for this start; no token from elsewhere (npm run token, another process, a restart) will be accepted. Set JWT_SECRET.',
    ],
  };
}

function httpSettingsDefaults(config: z.infer<typeof schema>): Pick<Config, 'http'> {
  const production = config.NODE_ENV === 'production';
  const metrics: HttpSettings['metrics'] = config.METRICS_TOKEN
    ? { access: 'token', token: config.METRICS_TOKEN }
    : { access: production ? 'closed' : 'open' };
  return {
    http: {
      hstsMaxAgeSeconds: config.HSTS_MAX_AGE_SECONDS ?? (production ? 180 * 86_400 : 0),
      apiDocs: (config.API_DOCS ?? (production ? 'off' : 'on')) === 'on',
      metrics,
      rateLimits: {
        windowMs: config.RATE_LIMIT_WINDOW_SECONDS * 1000,
        shopperPaymentsPerWindow: config.RATE_LIMIT_SHOPPER_PAYMENTS,
        anonymousPerWindow: config.RATE_LIMIT_ANONYMOUS,
      },
    },
  };
}
