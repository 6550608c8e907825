import type { ItemStep, Recipe, RecipeStep } from './recipe-schema';
import type { RecipeModules } from './recipe-modules';
import { TEMPLATE_VARIABLES } from './recipe-variables';
import { TemplateError, findTemplateVariables } from './template';

export interface RecipeCheckOptions {
  /** The adapter's module registry; without it, module names and actions are not checked. */
  modules?: RecipeModules;
}

type Section = 'signIn' | 'lookup' | 'steps';
type AnyStep = RecipeStep | ItemStep;

/**
 * The rules that keep a recipe safe to run unattended, beyond its shape:
 * - every template variable exists, and `item.*` is used only inside `forEachItem`;
 * - `steps` has exactly one step that submits the order, preceded by a `guardPrice` (which needs an earlier
 *   `extract` of `retailerTotalCents`) and followed by an `extract` of `confirmationNumber`;
 * - there is a way to find an earlier attempt's order (a `lookup` with an optional `confirmationNumber`
 *   extract, or a module that provides one), because a retry without it could buy the order twice;
 * - modules and their actions are registered.
 */
export function checkRecipe(recipe: Recipe, { modules }: RecipeCheckOptions = {}): Record<string, string> {
  const errors: Record<string, string> = {};
  const fail = (key: string, message: string) => void (errors[key] ??= message);
  const module = recipe.module && modules ? modules[recipe.module] : undefined;

  if (recipe.module && modules && !module) {
    fail('module', `unknown module "${recipe.module}"; registered: ${Object.keys(modules).join(', ') || 'none'}`);
  }

  const sections: [Section, readonly RecipeStep[] | undefined][] = [
    ['signIn', recipe.signIn?.steps],
    ['lookup', recipe.lookup?.steps],
    ['steps', recipe.steps],
  ];
  for (const [name, steps] of sections) {
    const prefix = name === 'steps' ? 'steps' : `${name}.steps`;
    steps?.forEach((step, index) => {
      checkStep(step, `${prefix}.${index}`, name, false, recipe, module, fail);
      if (step.type === 'forEachItem') {
        step.steps.forEach((inner, innerIndex) => checkStep(inner, `${prefix}.${index}.steps.${innerIndex}`, name, true, recipe, module, fail));
      }
    });
  }

  checkPlacementOrder(recipe.steps, fail);
  checkLookup(recipe, module, modules !== undefined, fail);
  return errors;
}

function checkStep(
  step: AnyStep,
  path: string,
  section: Section,
  inItem: boolean,
  recipe: Recipe,
  module: RecipeModules[string] | undefined,
  fail: (key: string, message: string) => void,
): void {
  for (const [field, value] of templatedFields(step)) {
    const problem = templateProblem(value, inItem);
    if (problem) fail(`${path}.${field}`, problem);
  }
  const submits = (step.type === 'click' || step.type === 'call') && step.submitsOrder;
  if (submits && (section !== 'steps' || inItem)) fail(`${path}.submitsOrder`, 'only a top-level step of "steps" can submit the order');
  if (step.type === 'guardPrice' && (section !== 'steps' || inItem)) fail(path, 'guardPrice belongs in the top level of "steps"');
  if (step.type === 'call') {
    if (!recipe.module) fail(`${path}.action`, 'a call step needs the recipe to name a module');
    else if (module && !module.actions?.[step.action]) {
      fail(`${path}.action`, `module "${recipe.module}" has no action "${step.action}"; it has: ${Object.keys(module.actions ?? {}).join(', ') || 'none'}`);
    }
  }
}

function templatedFields(step: AnyStep): [string, string][] {
  const fields: [string, string][] = [];
  if ('selector' in step) fields.push(['selector', step.selector]);
  if (step.type === 'goto') fields.push(['url', step.url]);
  if (step.type === 'fill' || step.type === 'select') fields.push(['value', step.value]);
  if (step.type === 'failIf') fields.push(['message', step.message]);
  return fields;
}

function templateProblem(template: string, inItem: boolean): string | undefined {
  try {
    for (const name of findTemplateVariables(template)) {
      const variable = (TEMPLATE_VARIABLES as Record<string, { scope: string }>)[name];
      if (!variable) return `unknown template variable {{${name}}}`;
      if (variable.scope === 'item' && !inItem) return `{{${name}}} is only available inside forEachItem`;
    }
    return undefined;
  } catch (error) {
    if (error instanceof TemplateError) return error.message;
    throw error;
  }
}

/** Every template variable the recipe uses, e.g. to check that config.payment exists when it is needed. */
export function listRecipeVariables(recipe: Recipe): Set<string> {
  const names = new Set<string>();
  const visit = (step: AnyStep) => {
    for (const [, value] of templatedFields(step)) {
      try {
        for (const name of findTemplateVariables(value)) names.add(name);
      } catch {
        // Malformed templates are reported by checkRecipe.
      }
    }
    if (step.type === 'forEachItem') step.steps.forEach(visit);
  };
  [...(recipe.signIn?.steps ?? []), ...(recipe.lookup?.steps ?? []), ...recipe.steps].forEach(visit);
  return names;
}

const extracts = (step: AnyStep, as: string): boolean => step.type === 'extract' && step.as === as;

function checkPlacementOrder(steps: readonly RecipeStep[], fail: (key: string, message: string) => void): void {
  const submitIndexes = steps.flatMap((step, index) => ((step.type === 'click' || step.type === 'call') && step.submitsOrder ? [index] : []));
  if (submitIndexes.length === 0) {
    fail('steps', 'mark the step that submits the order with "submitsOrder": true');
    return;
  }
  for (const extra of submitIndexes.slice(1)) fail(`steps.${extra}.submitsOrder`, `only one step may submit the order (steps.${submitIndexes[0]} already does)`);
  const submitAt = submitIndexes[0]!;

  const guardAt = steps.findIndex((step) => step.type === 'guardPrice');
  if (guardAt < 0 || guardAt > submitAt) fail('steps', `add a guardPrice step before the step that submits the order (steps.${submitAt})`);
  steps.forEach((step, index) => {
    if (step.type === 'guardPrice' && !steps.slice(0, index).some((earlier) => extracts(earlier, 'retailerTotalCents'))) {
      fail(`steps.${index}`, 'guardPrice needs an earlier extract with "as": "retailerTotalCents"');
    }
  });
  if (!steps.slice(submitAt + 1).some((step) => extracts(step, 'confirmationNumber'))) {
    fail('steps', `add an extract with "as": "confirmationNumber" after the step that submits the order (steps.${submitAt})`);
  }
}

function checkLookup(recipe: Recipe, module: RecipeModules[string] | undefined, modulesKnown: boolean, fail: (key: string, message: string) => void): void {
  if (recipe.lookup && module?.lookup) {
    fail('lookup', `module "${recipe.module}" provides the lookup; remove one of the two`);
    return;
  }
  if (recipe.lookup) {
    const found = recipe.lookup.steps.some((step) => extracts(step, 'confirmationNumber') && step.type === 'extract' && step.optional);
    if (!found) fail('lookup.steps', 'needs an extract with "as": "confirmationNumber" and "optional": true (absent means "not placed yet")');
    return;
  }
  // With an unknown registry, a named module may still provide the lookup; the adapter checks with its own.
  if (module?.lookup || (recipe.module && !modulesKnown)) return;
  fail('lookup', 'required: without it a retry cannot tell whether the retailer already has the order (or name a module that provides a lookup)');
}
