import type { Redis } from 'ioredis';
import { isQueueMethod, type QueueMethod } from './placement-methods';
import { defineRedisScript } from './redis-script';

/** Reads the method of orders from the database (see placement-routes-repository.ts). */
export type MethodsOf = (orderNumbers: string[]) => Promise<ReadonlyMap<string, string>>;

/** Where a job goes when nothing knows its order (it will find nothing to place): the cheapest queue. */
const UNKNOWN_ORDER_METHOD: QueueMethod = 'api';

/** The route already set wins; otherwise this one is set. Atomic, so two producers racing agree on one queue. */
const CLAIM = `
local current = redis.call('GET', KEYS[1])
if current then return current end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]`;

export interface RouteRequest {
  jobId: string;
  orderNumber: string;
  /** The producer's guess; absent, read from the order. */
  method?: QueueMethod;
}

/**
 * Which method queue each job id lives on: one Redis key per job id, kept as long as finished jobs are kept (the
 * dedupe window), so the same id never sits on two queues at once.
 */
export function createPlacementRoutes(options: {
  redis: Redis;
  keyPrefix: string;
  keepMs: number;
  methodsOf: MethodsOf;
}) {
  const claimScript = defineRedisScript(options.redis, 'placementRouteClaim', CLAIM);
  const key = (jobId: string) => `${options.keyPrefix}:${jobId}`;

  async function guesses(requests: readonly RouteRequest[]): Promise<QueueMethod[]> {
    const unknown = requests.filter((request) => !request.method).map((request) => request.orderNumber);
    const read = unknown.length > 0 ? await options.methodsOf([...new Set(unknown)]) : new Map<string, string>();
    return requests.map((request) => {
      const method = request.method ?? read.get(request.orderNumber);
      return isQueueMethod(method) ? method : UNKNOWN_ORDER_METHOD;
    });
  }

  return {
    /** The queue of each job: the one it was first routed to, or (new) the producer's guess. */
    async claim(requests: readonly RouteRequest[]): Promise<QueueMethod[]> {
      const wanted = await guesses(requests);
      const routed = await Promise.all(
        requests.map((request, i) => claimScript(key(request.jobId), wanted[i]!, options.keepMs)),
      );
      return routed.map((method, i) => (isQueueMethod(method) ? method : wanted[i]!));
    },
    async move(jobId: string, method: QueueMethod): Promise<void> {
      await options.redis.set(key(jobId), method, 'PX', options.keepMs);
    },
  };
}
