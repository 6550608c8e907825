import { z } from 'zod';
import { listRecipeVariables } from './recipes/recipe-checks';
import type { RecipeModules } from './recipes/recipe-module';
import { builtInRecipeModules } from './recipes/recipe-modules';
import type { Recipe } from './recipes/recipe-schema';
import { validateRecipe, zodIssuesToErrors } from './recipes/recipe-validation';

/** A store's placement_config for the headless method. The recipe is checked separately, for precise paths. */
const configSchema = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }),
  credentials: z.strictObject({ username: z.string().min(1, 'required'), password: z.string().min(1, 'required') }),
  recipe: z.unknown(),
  payment: z
    .strictObject({
      cardNumber: z.string().regex(/^\d{12,19}$/, '12 to 19 digits'),
      expiry: z.string().regex(/^(0[1-9]|1[0-2])\/\d{2}$/, 'MM/YY'),
      cvc: z.string().regex(/^\d{3,4}$/, '3 or 4 digits'),
    })
    .optional(),
  /** Per page load (a `goto`, or a click that navigates). */
  navigationTimeoutMs: z.int().min(1_000).max(120_000).optional(),
  /** How long a step waits for its selector before the page is judged not to match the recipe. */
  selectorTimeoutMs: z.int().min(100).max(60_000).optional(),
  /** Browser window size for this shop (default 1440×900). */
  viewport: z.strictObject({ width: z.int().min(320).max(3840), height: z.int().min(320).max(2400) }).optional(),
  /** Browser checkouts of this store at once in one worker process (an account with a server-side cart: 1). */
  concurrency: z.int().min(1).max(20).optional(),
});

export type HeadlessPlacementConfig = Omit<z.infer<typeof configSchema>, 'recipe'> & { recipe: Recipe };

type ConfigCheck = { ok: true; config: HeadlessPlacementConfig } | { ok: false; errors: Record<string, string> };

export function checkHeadlessConfig(input: unknown, modules: RecipeModules = builtInRecipeModules): ConfigCheck {
  const parsed = configSchema.safeParse(input, { reportInput: true });
  const errors = parsed.success ? {} : zodIssuesToErrors(parsed.error.issues, 'config');
  const rawRecipe = (input as { recipe?: unknown } | null)?.recipe;
  if (rawRecipe === undefined) {
    errors.recipe ??= 'required';
    return { ok: false, errors };
  }
  const recipe = validateRecipe(rawRecipe, { modules });
  if (!recipe.ok) {
    for (const [key, message] of Object.entries(recipe.errors))
      errors[key === 'recipe' ? key : `recipe.${key}`] = message;
  }
  if (!parsed.success || !recipe.ok) return { ok: false, errors };
  const paymentVariable = [...listRecipeVariables(recipe.recipe)].find((name) => name.startsWith('payment.'));
  if (paymentVariable && !parsed.data.payment)
    return { ok: false, errors: { payment: `required: the recipe uses {{${paymentVariable}}}` } };
  return { ok: true, config: { ...parsed.data, recipe: recipe.recipe } };
}
