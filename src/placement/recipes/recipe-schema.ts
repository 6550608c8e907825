import { z } from 'zod';
import { checkRecipe, type RecipeCheckOptions } from './recipe-checks';

/**
 * The shape of a retailer recipe: what ops store in a store's placement_config to teach the headless adapter
 * a checkout flow. docs/recipes.md is the manual; `checkRecipe` adds the rules a shape cannot express
 * (a price guard before the submit, known template variables, registered modules).
 */

const selector = z.string().trim().min(1, 'required');
const template = z.string();
const note = z.string().optional();
const timeoutMs = z.int().min(100).max(120_000);
const identifier = z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'letters and digits, starting with a letter');
const regexSource = z.string().min(1).refine(compiles, 'not a valid regular expression');

function compiles(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

export const FAIL_CODES = ['out_of_stock', 'address_rejected', 'rejected'] as const;

const gotoStep = z.strictObject({ type: z.literal('goto'), url: template.min(1, 'required'), note });
const fillStep = z.strictObject({ type: z.literal('fill'), selector, value: template, skipIfEmpty: z.boolean().optional(), note });
const selectStep = z.strictObject({ type: z.literal('select'), selector, value: template, skipIfEmpty: z.boolean().optional(), note });
const clickStep = z.strictObject({
  type: z.literal('click'),
  selector,
  waitForNavigation: z.boolean().optional(),
  submitsOrder: z.boolean().optional(),
  note,
});
const waitForStep = z.strictObject({ type: z.literal('waitFor'), selector, timeoutMs: timeoutMs.optional(), note });
const extractStep = z.strictObject({
  type: z.literal('extract'),
  selector,
  as: identifier,
  attribute: z.string().min(1).optional(),
  pattern: regexSource.optional(),
  optional: z.boolean().optional(),
  note,
});
const guardPriceStep = z.strictObject({ type: z.literal('guardPrice'), note });
const failIfStep = z.strictObject({ type: z.literal('failIf'), selector, code: z.enum(FAIL_CODES), message: z.string().min(1, 'required'), note });
const screenshotStep = z.strictObject({ type: z.literal('screenshot'), label: z.string().regex(/^[a-z0-9-]{1,40}$/, 'lower-case letters, digits and dashes').optional(), note });
const callStep = z.strictObject({ type: z.literal('call'), action: z.string().min(1, 'required'), submitsOrder: z.boolean().optional(), note });

const simpleSteps = [gotoStep, fillStep, selectStep, clickStep, waitForStep, extractStep, guardPriceStep, failIfStep, screenshotStep, callStep] as const;

/** A step inside `forEachItem`; items do not nest. */
export const itemStepSchema = z.discriminatedUnion('type', [...simpleSteps]);
const forEachItemStep = z.strictObject({ type: z.literal('forEachItem'), steps: z.array(itemStepSchema).min(1).max(100), note });
export const stepSchema = z.discriminatedUnion('type', [...simpleSteps, forEachItemStep]);

const stepList = z.array(stepSchema).min(1, 'needs at least one step').max(200);
const section = z.strictObject({ steps: stepList, note });

export const recipeSchema = z.strictObject({
  version: z.literal(1),
  description: z.string().optional(),
  /** A code module registered with the adapter, for what data cannot express. */
  module: z.string().min(1).optional(),
  /** Runs first on every attempt: get a signed-in session. */
  signIn: section.optional(),
  /** Runs on retries before `steps`: finds an order an earlier attempt placed. */
  lookup: section.optional(),
  steps: stepList,
});

export type Recipe = z.infer<typeof recipeSchema>;
export type RecipeStep = z.infer<typeof stepSchema>;
export type ItemStep = z.infer<typeof itemStepSchema>;
export type StepType = RecipeStep['type'];
export const STEP_TYPES = stepSchema.options.map((option) => option.shape.type.value);

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
      const value = typeof issue.input === 'object' && issue.input !== null ? (issue.input as Record<string, unknown>)[issue.discriminator] : undefined;
      const got = value === undefined ? 'required' : `${JSON.stringify(value)} is not a step type`;
      add(issue.path, `${got}; expected one of ${options.join(', ')}`);
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      add(issue.path, 'required');
    } else {
      add(issue.path, issue.message.replace(/^Invalid input: /, ''));
    }
  }
  return errors;
}
