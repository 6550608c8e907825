import { z } from 'zod';

/**
 * The environment, validated once at start-up. Every problem is reported at once, by variable name, so a
 * deployer fixes them in one go. Unset DATABASE_URL / REDIS_URL / STRIPE_SECRET_KEY select the embedded
 * defaults (PGlite, in-process placement, the Stripe sandbox) so `npm start` works on a fresh machine.
 */
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
  PLACEMENT_QUEUE_NAME: z.string().regex(/^[A-Za-z0-9_-]+$/).default('placements'),
  JWT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  STRIPE_SECRET_KEY: z.string().regex(/^sk_(test|live)_/, 'must look like sk_test_… or sk_live_…').optional(),
  STRIPE_API_URL: z.url({ protocol: /^https?$/ }).optional(),
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  CHECKOUT_SESSION_TTL_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
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
  BROWSER_MAX_PAGES: z.coerce.number().int().min(1).max(32).default(2),
  CHROMIUM_PATH: z.string().default('/usr/bin/chromium'),
  /** Outbound events: SMTP for the shopper's mails (none: kept in the database, shown in the dashboard). */
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  MAIL_FROM: z.string().min(3).default('Orders <orders@mor-checkout.local>'),
  EVENTS_QUEUE_NAME: z.string().regex(/^[A-Za-z0-9_-]+$/).default('events'),
  /** First retry of a webhook or mail; each next one doubles (13 tries over about 2.8 days by default). */
  EVENT_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(60_000),
  EVENT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(30).default(13),
  WEBHOOK_DISABLE_AFTER_HOURS: z.coerce.number().min(0.001).max(24 * 30).default(72),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** Testing only: kill the process (SIGKILL) the first time it reaches this saga step. */
  CHAOS_CRASH_AT: z.string().optional(),
});

export type Config = z.infer<typeof schema> & { jwtSecret: string };

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
    if (!config.DATABASE_URL) problems.push('DATABASE_URL: required in production (the embedded database is for development)');
    if (!config.STRIPE_SECRET_KEY) problems.push('STRIPE_SECRET_KEY: required in production');
  }
  if (config.WEB_CONCURRENCY > 1 && (!config.DATABASE_URL || !config.REDIS_URL)) {
    // The embedded database serves one process, and each process's in-process queue would place its own orders.
    problems.push('WEB_CONCURRENCY: several API processes need DATABASE_URL and REDIS_URL (a shared database and queue)');
  }
  if (config.STRIPE_SECRET_KEY?.startsWith('sk_live_') && config.STRIPE_API_URL) {
    problems.push('STRIPE_API_URL: a live key must talk to Stripe itself, not to a sandbox');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...config, jwtSecret: config.JWT_SECRET ?? DEVELOPMENT_JWT_SECRET };
}
