import type { FormObject } from './form-body';
import * as p from './params';
import { invalidParam } from './stripe-error';

/**
 * Stripe's list pagination (https://docs.stripe.com/api/pagination): newest first, `limit` 1–100 (default 10),
 * a cursor `starting_after` (older than that object) or `ending_before` (newer than it), and `has_more`. The
 * `created` filter takes a timestamp or a hash of `gt`, `gte`, `lt`, `lte` (https://docs.stripe.com/api/payment_intents/list).
 * stripe-node's auto-pagination follows `starting_after` with the last id of each page while `has_more`.
 */
export const LIST_PARAMS = ['limit', 'starting_after', 'ending_before', 'created', 'expand'] as const;

export interface ListPage<T> {
  object: 'list';
  url: string;
  has_more: boolean;
  data: T[];
}

interface Listed {
  id: string;
  created: number;
}

/** Pages `oldestFirst` (the order objects were created in) as Stripe lists them. */
export function pageList<T extends Listed>(
  url: string,
  oldestFirst: readonly T[],
  params: FormObject,
  kind: string,
): ListPage<T> {
  const limit = p.optionalInteger(params, 'limit') ?? 10;
  if (limit < 1 || limit > 100) throw invalidParam('Invalid limit: must be between 1 and 100', { param: 'limit' });
  const startingAfter = p.optionalString(params, 'starting_after');
  const endingBefore = p.optionalString(params, 'ending_before');
  if (startingAfter && endingBefore) {
    throw invalidParam('You may only specify one of these parameters: starting_after, ending_before.', {
      code: 'parameters_exclusive',
    });
  }
  const inRange = createdFilter(params);
  const newestFirst: T[] = [];
  for (let index = oldestFirst.length - 1; index >= 0; index -= 1) {
    if (inRange(oldestFirst[index].created)) newestFirst.push(oldestFirst[index]);
  }
  const cursorAt = (id: string, param: string) => {
    const index = newestFirst.findIndex((item) => item.id === id);
    if (index === -1) throw invalidParam(`No such ${kind}: '${id}'`, { code: 'resource_missing', param });
    return index;
  };
  if (endingBefore) {
    const rest = newestFirst.slice(0, cursorAt(endingBefore, 'ending_before'));
    return { object: 'list', url, has_more: rest.length > limit, data: rest.slice(-limit) };
  }
  const rest = startingAfter ? newestFirst.slice(cursorAt(startingAfter, 'starting_after') + 1) : newestFirst;
  return { object: 'list', url, has_more: rest.length > limit, data: rest.slice(0, limit) };
}

const BOUNDS = ['gt', 'gte', 'lt', 'lte'] as const;

function createdFilter(params: FormObject): (created: number) => boolean {
  const value = params.created;
  if (value === undefined || value === '') return () => true;
  if (typeof value === 'string') {
    const exact = p.requiredInteger(params, 'created');
    return (created) => created === exact;
  }
  const range = p.optionalHash(params, 'created')!;
  const bounds: Partial<Record<(typeof BOUNDS)[number], number>> = {};
  for (const key of Object.keys(range)) {
    if (!(BOUNDS as readonly string[]).includes(key)) {
      throw invalidParam(`Received unknown parameter: created[${key}]`, {
        code: 'parameter_unknown',
        param: `created[${key}]`,
      });
    }
    const bound = key as (typeof BOUNDS)[number];
    bounds[bound] = p.requiredInteger(range, bound);
  }
  return (created) =>
    (bounds.gt === undefined || created > bounds.gt) &&
    (bounds.gte === undefined || created >= bounds.gte) &&
    (bounds.lt === undefined || created < bounds.lt) &&
    (bounds.lte === undefined || created <= bounds.lte);
}

/** Which `expand[]` paths a list request names, e.g. `data.latest_charge`. */
export function expansions(params: FormObject): Set<string> {
  return new Set(p.optionalStringArray(params, 'expand') ?? []);
}
