import { z } from 'zod';

const Method = z.enum(['api', 'headless', 'manual']);
const Reason = z.string().trim().min(3).max(500);

export const StoreSlugParam = z.object({ slug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a store slug') });
export const HealthWindowQuery = z.object({ window: z.enum(['1h', '24h', '7d']).default('24h') });
export const PauseStoreInput = z.object({ reason: Reason }).strict().meta({ id: 'PauseStoreInput' });
export const ResumeStoreInput = z.object({ reason: Reason.optional() }).strict().meta({ id: 'ResumeStoreInput' });
export const SwitchMethodInput = z
  .object({ placementMethod: Method, reason: Reason })
  .strict()
  .meta({ id: 'SwitchMethodInput' });
export const ArtifactParam = z.object({
  fileName: z.string().regex(/^[A-Za-z0-9._-]{1,200}\.png$/, 'must be a failure screenshot name'),
});

const Pause = z
  .object({ at: z.iso.datetime(), by: z.string(), reason: z.string().nullable() })
  .meta({ id: 'StorePause' });

export const StoreHealthRow = z
  .object({
    slug: z.string(),
    name: z.string(),
    method: Method.meta({ description: 'The method these figures are for: the one each order was first sent to' }),
    currentMethod: Method.meta({
      description: 'Where the store’s new placements go now (ops’ switch, else configured)',
    }),
    configuredMethod: Method,
    methodOverride: Method.nullable(),
    paused: z.boolean(),
    pause: Pause.nullable(),
    breaker: z
      .enum(['closed', 'open', 'half_open'])
      .nullable()
      .meta({ description: 'null when the queue cannot be asked' }),
    breakerRetryInSeconds: z.number().nullable(),
    orders: z.int(),
    attempts: z.int().meta({ description: 'Tries that reached a verdict (hand-offs to people excluded)' }),
    placed: z.int(),
    failed: z.int(),
    successRate: z.number().nullable().meta({ description: 'placed ÷ settled orders, after retries and fallbacks' }),
    firstTrySuccessRate: z.number().nullable(),
    placeSecondsP50: z.number().nullable().meta({ description: 'place → placed' }),
    placeSecondsP95: z.number().nullable(),
    manualShare: z
      .number()
      .nullable()
      .meta({ description: 'orders ending in a manual task or a price review ÷ orders' }),
    failedRefundCents: z.int(),
  })
  .meta({ id: 'StoreHealthRow' });

export const StoreLevers = z
  .object({
    slug: z.string(),
    name: z.string(),
    configuredMethod: Method,
    methodOverride: Method.nullable(),
    currentMethod: Method,
    paused: z.boolean(),
    pause: Pause.nullable(),
    releasedPlacements: z
      .int()
      .optional()
      .meta({ description: 'On resume: waiting placements sent back to the queue' }),
  })
  .meta({ id: 'StoreLevers' });

const LeverEvent = z
  .object({
    action: z.enum(['pause', 'resume', 'switch_method']),
    actor: z.string(),
    reason: z.string(),
    fromMethod: Method.nullable(),
    toMethod: Method.nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'StoreLeverEvent' });

const PlacementFailure = z
  .object({
    orderNumber: z.string(),
    orderStatus: z.string(),
    method: Method,
    attempt: z.int(),
    outcome: z.enum(['transient_error', 'permanent_error', 'price_mismatch']),
    errorCode: z.string().nullable(),
    message: z.string().nullable(),
    step: z.string().nullable(),
    screenshot: z.string().nullable().meta({ description: 'File name for GET /ops/artifacts/{fileName}' }),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'PlacementFailure' });

export const StoreHealthDetail = z
  .object({
    store: StoreLevers,
    rows: z.array(StoreHealthRow),
    series: z.array(
      z.object({ start: z.iso.datetime(), orders: z.int(), placed: z.int(), failed: z.int(), manual: z.int() }),
    ),
    failures: z.array(PlacementFailure),
    levers: z.array(LeverEvent),
  })
  .meta({ id: 'StoreHealthDetail' });

export const FailureArtifact = z
  .object({ fileName: z.string(), contentType: z.literal('image/png'), contentBase64: z.string() })
  .meta({ id: 'FailureArtifact' });
