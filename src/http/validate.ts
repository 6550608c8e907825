import type { z } from 'zod';
import { validationFailed } from '../domain/errors';

/** Parses input with a schema; every problem becomes `details.fields[path]` of a 400 validation_failed. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where = 'body'): z.infer<S> {
  const result = schema.safeParse(input ?? (where === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const prefix = issue.path.length > 0 ? `${issue.path.join('.')}.` : '';
    if (issue.code === 'unrecognized_keys') {
      // Each field the schema does not know is named, as the contract's details.fields promises.
      for (const key of issue.keys) fields[`${prefix}${key}`] ??= 'is not a known field';
      continue;
    }
    const path = issue.path.length > 0 ? issue.path.join('.') : where;
    fields[path] ??= issue.message;
  }
  throw validationFailed(fields);
}
