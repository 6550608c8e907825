import { z } from 'zod';
import type { AddOperation } from './openapi-operation';
import {
  ArtifactParam,
  FailureArtifact,
  HealthWindowQuery,
  PauseStoreInput,
  ResumeStoreInput,
  StoreHealthDetail,
  StoreHealthRow,
  StoreLevers,
  StoreSlugParam,
  SwitchMethodInput,
} from './schemas/store-health';

/** Store health and the store levers (ops). */
export function describeStoreHealthApi(add: AddOperation): void {
  const tags = ['Ops'];
  const lever = { 403: 'forbidden', 404: 'store_not_found' };
  add('get', '/ops/stores', {
    summary:
      'Per store and method over the window: success, time to place, manual share, refunds, breaker; worst first',
    tags,
    query: HealthWindowQuery,
    response: z.array(StoreHealthRow),
    errors: { 403: 'forbidden' },
  });
  add('get', '/ops/stores/{slug}', {
    summary: 'One store: its figures, orders over time, recent failures with reasons and screenshots, lever pulls',
    tags,
    params: StoreSlugParam,
    query: HealthWindowQuery,
    response: StoreHealthDetail,
    errors: lever,
  });
  add('post', '/ops/stores/{slug}/pause', {
    summary: 'Pause a store: its new placements wait in the queue, none lost',
    tags,
    params: StoreSlugParam,
    body: PauseStoreInput,
    response: StoreLevers,
    errors: { ...lever, 409: 'store_already_paused' },
  });
  add('post', '/ops/stores/{slug}/resume', {
    summary: 'Resume a store: its waiting placements go, oldest first',
    tags,
    params: StoreSlugParam,
    body: ResumeStoreInput,
    response: StoreLevers,
    errors: { ...lever, 409: 'store_not_paused' },
  });
  add('post', '/ops/stores/{slug}/method', {
    summary: 'Switch the method the store’s next placements go by (its configured one, its fallback, or manual)',
    tags,
    params: StoreSlugParam,
    body: SwitchMethodInput,
    response: StoreLevers,
    errors: { ...lever, 422: 'method_not_configured' },
  });
  add('get', '/ops/artifacts/{fileName}', {
    summary: 'A failure screenshot a headless placement saved',
    tags,
    params: ArtifactParam,
    response: FailureArtifact,
    errors: { 403: 'forbidden', 404: 'not_found' },
  });
}
