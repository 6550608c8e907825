import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Request, Response } from 'express';
import { DomainError } from '../domain/errors';
import { principalOf } from '../http/auth';
import { send } from '../http/respond';
import { parseInput } from '../http/validate';
import {
  ArtifactParam,
  HealthWindowQuery,
  PauseStoreInput,
  ResumeStoreInput,
  StoreSlugParam,
  SwitchMethodInput,
} from '../http/schemas/store-health';
import type { PlacementFailureRecord } from '../domain/placement-attempt';
import type { LeverEventRecord, StoreLeversRecord } from '../domain/store-levers';
import type { StoreHealthRow, StoreHealthService } from '../services/store-health-service';
import { effectiveMethod, type StoreLeversService } from '../services/store-levers-service';

const presentPause = (store: StoreLeversRecord) =>
  store.pausedAt ? { at: store.pausedAt.toISOString(), by: store.pausedBy!, reason: store.pauseReason } : null;

const presentLevers = (store: StoreLeversRecord) => ({
  slug: store.slug,
  name: store.name,
  configuredMethod: store.placementMethod,
  methodOverride: store.methodOverride,
  currentMethod: effectiveMethod(store),
  paused: store.pausedAt !== null,
  pause: presentPause(store),
});

const presentRow = (row: StoreHealthRow) => ({
  slug: row.store.slug,
  name: row.store.name,
  method: row.method,
  currentMethod: row.currentMethod,
  configuredMethod: row.store.placementMethod,
  methodOverride: row.store.methodOverride,
  paused: row.store.pausedAt !== null,
  pause: presentPause(row.store),
  breaker: row.breaker?.state ?? null,
  breakerRetryInSeconds: row.breaker?.state === 'open' ? Math.ceil(row.breaker.retryInMs / 1000) : null,
  orders: row.orders,
  attempts: row.attempts,
  placed: row.placed,
  failed: row.failed,
  successRate: row.successRate,
  firstTrySuccessRate: row.firstTrySuccessRate,
  placeSecondsP50: row.placeSecondsP50,
  placeSecondsP95: row.placeSecondsP95,
  manualShare: row.manualShare,
  failedRefundCents: row.failedRefundCents,
});

/** The headless adapter keeps the full path of a failure's screenshot; ops fetch it by file name. */
function presentFailure(failure: PlacementFailureRecord) {
  const artifacts = (failure.details.artifacts ?? {}) as { screenshot?: unknown };
  return {
    orderNumber: failure.orderNumber,
    orderStatus: failure.orderStatus,
    method: failure.method,
    attempt: failure.attempt,
    outcome: failure.outcome as 'transient_error' | 'permanent_error' | 'price_mismatch',
    errorCode: failure.errorCode,
    message: failure.message,
    step: typeof failure.details.step === 'string' ? failure.details.step : null,
    screenshot: typeof artifacts.screenshot === 'string' ? basename(artifacts.screenshot) : null,
    createdAt: failure.createdAt.toISOString(),
  };
}

const presentLever = (event: LeverEventRecord) => ({
  action: event.action,
  actor: event.actor,
  reason: event.reason,
  fromMethod: event.fromMethod,
  toMethod: event.toMethod,
  createdAt: event.createdAt.toISOString(),
});

export function createStoreHealthController(
  health: StoreHealthService,
  levers: StoreLeversService,
  artifactsDir: string,
) {
  const slugOf = (req: Request) => parseInput(StoreSlugParam, req.params, 'slug').slug;
  return {
    async list(req: Request, res: Response) {
      const { window } = parseInput(HealthWindowQuery, req.query, 'query');
      send(res, (await health.figures(window)).map(presentRow));
    },
    async detail(req: Request, res: Response) {
      const slug = slugOf(req);
      const { window } = parseInput(HealthWindowQuery, req.query, 'query');
      const detail = await health.detail(slug, window);
      send(res, {
        store: presentLevers(detail.store),
        rows: detail.rows.map(presentRow),
        series: detail.series.map((b) => ({ ...b, start: b.start.toISOString() })),
        failures: detail.failures.map(presentFailure),
        levers: detail.levers.map(presentLever),
      });
    },
    async pause(req: Request, res: Response) {
      const slug = slugOf(req);
      const { reason } = parseInput(PauseStoreInput, req.body ?? {});
      send(res, presentLevers(await levers.pause(principalOf(req), slug, reason)));
    },
    async resume(req: Request, res: Response) {
      const slug = slugOf(req);
      const { reason } = parseInput(ResumeStoreInput, req.body ?? {});
      const { store, released } = await levers.resume(principalOf(req), slug, reason ?? 'resumed');
      send(res, { ...presentLevers(store), releasedPlacements: released });
    },
    async switchMethod(req: Request, res: Response) {
      const slug = slugOf(req);
      const { placementMethod, reason } = parseInput(SwitchMethodInput, req.body ?? {});
      send(res, presentLevers(await levers.switchMethod(principalOf(req), slug, placementMethod, reason)));
    },
    async artifact(req: Request, res: Response) {
      const { fileName } = parseInput(ArtifactParam, req.params, 'fileName');
      // The pattern admits no separators, so the name cannot leave the artifacts directory.
      const content = await readFile(join(artifactsDir, fileName)).catch(() => null);
      if (!content) throw new DomainError('not_found', 'Screenshot not found');
      send(res, { fileName, contentType: 'image/png' as const, contentBase64: content.toString('base64') });
    },
  };
}
