import type { z } from 'zod';
import { checkRecipe, type RecipeCheckOptions } from './recipe-checks';
import { recipeSchema, STEP_TYPES, type Recipe } from './recipe-schema';

/** Validation composes the shape (recipe-schema.ts) with the rules beyond it (recipe-checks.ts). */

export type RecipeValidation = { ok: true; recipe: Recipe } | { ok: false; errors: Record<string, string> };

/** Shape and rules of a recipe; errors are keyed by path (`steps.3.selector`), `recipe` for the whole. */
export function validateRecipe(input: unknown, options: RecipeCheckOptions = {}): RecipeValidation {
  const parsed = recipeSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) return { ok: false, errors: zodIssuesToErrors(parsed.error.issues) };
  const errors = checkRecipe(parsed.data, options);
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, recipe: parsed.data };
}

/** Flattens zod issues into `path → message`, the first problem per path, phrased for a person editing JSON. */
export function zodIssuesToErrors(issues: readonly z.core.$ZodIssue[], root = 'recipe'): Record<string, string> {
  const errors: Record<string, string> = {};
  const add = (path: readonly PropertyKey[], message: string) => {
    const key = path.length > 0 ? path.map(String).join('.') : root;
    errors[key] ??= message;
  };
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add([...issue.path, key], 'unknown field');
    } else if (issue.code === 'invalid_union' && issue.discriminator) {
      const options = 'options' in issue && issue.options ? issue.options : STEP_TYPES;
      const value =
        typeof issue.input === 'object' && issue.input !== null
          ? (issue.input as Record<string, unknown>)[issue.discriminator]
          : undefined;
      const got = value === undefined ? 'required' : `${JSON.stringify(value)} is not a step type`;
      add(issue.path, `${got}; expected one of ${options.join(', ')}`);
    } else if (issue.code === 'invalid_union' && issue.path.at(-1) === 'lookup') {
      // The two lookup forms: report the one the input was trying to be.
      const input = issue.input as Record<string, unknown> | undefined;
      const branch = input && 'none' in input ? 1 : 0;
      const nested = (issue as unknown as { errors: z.core.$ZodIssue[][] }).errors[branch] ?? [];
      for (const [key, message] of Object.entries(
        zodIssuesToErrors(
          nested.map((n) => ({ ...n, path: [...issue.path, ...n.path] })),
          root,
        ),
      ))
        add(key.split('.'), message);
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      add(issue.path, 'required');
    } else {
      add(issue.path, issue.message.replace(/^Invalid input: /, ''));
    }
  }
  return errors;
}
