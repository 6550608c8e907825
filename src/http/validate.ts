import type { z } from 'zod';
import { validationFailed } from '../domain/errors';

/** Parses input with a schema; every problem becomes `details.fields[path]` of a 400 validation_failed. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where = 'body'): z.infer<S> {
  const result = schema.safeParse(input ?? (where === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const path = issue.path.length > 0 ? issue.path.join('.') : where;
    fields[path] ??= issue.message;
  }
  throw validationFailed(fields);
}
