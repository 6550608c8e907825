import { z } from 'zod';
import type { FaultSpec } from './types';

/**
 * Faults armed for the next N matching API requests, taken first-armed-first. A request consumes at most one.
 */
export type Fault = { kind: 'hang' } | { kind: 'status'; status: 500 | 503 | 429; afterCommit: boolean };

const scope = {
  count: z.number().int().positive(),
  path: z.string().startsWith('/').optional(),
  method: z.enum(['GET', 'POST']).optional(),
};
const faultSpecSchema = z.union([
  z
    .object({
      ...scope,
      status: z.union([z.literal(500), z.literal(503), z.literal(429)]),
      afterCommit: z.boolean().optional(),
    })
    .strict(),
  z.object({ ...scope, kind: z.literal('hang') }).strict(),
]);

/** Validates fault specs that arrive over HTTP (POST /_sandbox/faults takes one spec or an array). */
export const parseFaultSpecs = (input: unknown): FaultSpec[] =>
  z
    .union([faultSpecSchema, z.array(faultSpecSchema)])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .parse(input);

export class FaultInjector {
  private armed: Array<{ spec: FaultSpec; remaining: number }> = [];

  add(specs: FaultSpec | FaultSpec[]): void {
    for (const spec of parseFaultSpecs(specs)) this.armed.push({ spec, remaining: spec.count });
  }

  /** The fault for this request, if one matches; consumes one of its uses. */
  take(method: string, path: string): Fault | undefined {
    if (this.armed.length === 0) return undefined;
    const index = this.armed.findIndex(
      ({ spec }) => (!spec.path || path.startsWith(spec.path)) && (!spec.method || spec.method === method),
    );
    if (index === -1) return undefined;
    const armed = this.armed[index];
    armed.remaining -= 1;
    if (armed.remaining === 0) this.armed.splice(index, 1);
    const { spec } = armed;
    return 'kind' in spec
      ? { kind: 'hang' }
      : { kind: 'status', status: spec.status, afterCommit: spec.afterCommit ?? false };
  }

  pending(): number {
    return this.armed.reduce((sum, armed) => sum + armed.remaining, 0);
  }

  clear(): void {
    this.armed = [];
  }
}
