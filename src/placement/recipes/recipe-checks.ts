import type { ItemStep, Recipe, RecipeStep, SimpleStep } from './recipe-schema';
import type { RecipeModules } from './recipe-module';
import { TEMPLATE_VARIABLES } from './recipe-variables';
import { TemplateError, findTemplateVariables } from './template';
import { selectorProblem } from './element-selector';

export interface RecipeCheckOptions {
  /** The adapter's module registry; without it, module names and actions are not checked. */
  modules?: RecipeModules;
}

type Section = 'signIn' | 'lookup' | 'steps' | 'onAbort';
type AnyStep = RecipeStep | ItemStep | SimpleStep;
type Scope = 'top' | 'item' | 'repeat';
type Fail = (key: string, message: string) => void;

/** Values read by an `extract` step are usable in later templates as `{{extracted.<as>}}`. */
export const EXTRACTED_PREFIX = 'extracted.';

/**
 * The rules that keep a recipe safe to run unattended, beyond its shape:
 * - every template variable exists, `item.*` is used only inside `forEachItem`, `repeat.*` only inside
 *   `repeat`, and `extracted.x` only after a step that extracts `x`; every selector parses;
 * - `steps` has exactly one step that submits the order, preceded by a `guardPrice` (which needs an earlier
 *   `extract` of `retailerTotalCents`) and followed by an `extract` of `confirmationNumber`;
 * - there is a way to find an earlier attempt's order (a `lookup` that can see our order, or a module that
 *   provides one), or the recipe says plainly that there is none (`"lookup": {"none": true, "reason": …}`);
 * - modules and their actions are registered.
 */
export function checkRecipe(recipe: Recipe, { modules }: RecipeCheckOptions = {}): Record<string, string> {
  const errors: Record<string, string> = {};
  const fail: Fail = (key, message) => void (errors[key] ??= message);
  const module = recipe.module && modules ? modules[recipe.module] : undefined;

  if (recipe.module && modules && !module) {
    fail('module', `unknown module "${recipe.module}"; registered: ${Object.keys(modules).join(', ') || 'none'}`);
  }

  // Extracts seen so far, in the order sections run: signIn, lookup, steps (onAbort runs after a partial `steps`).
  const extracted = new Set<string>();
  const lookupSteps = recipe.lookup && 'steps' in recipe.lookup ? recipe.lookup.steps : undefined;
  const sections: [Section, readonly RecipeStep[] | undefined][] = [
    ['signIn', recipe.signIn?.steps],
    ['lookup', lookupSteps],
    ['steps', recipe.steps],
    ['onAbort', recipe.onAbort?.steps],
  ];
  for (const [name, steps] of sections) {
    const prefix = name === 'steps' ? 'steps' : `${name}.steps`;
    const visit = (step: AnyStep, path: string, scope: Scope[]) => {
      checkStep(step, path, name, scope, recipe, module, extracted, fail);
      if (step.type === 'forEachItem')
        step.steps.forEach((inner, i) => visit(inner, `${path}.steps.${i}`, [...scope, 'item']));
      if (step.type === 'repeat')
        step.steps.forEach((inner, i) => visit(inner, `${path}.steps.${i}`, [...scope, 'repeat']));
      if (step.type === 'extract' || step.type === 'request') extracted.add(step.as);
    };
    steps?.forEach((step, index) => visit(step, `${prefix}.${index}`, ['top']));
  }

  checkPlacementOrder(recipe.steps, fail);
  checkLookup(recipe, module, modules !== undefined, fail);
  return errors;
}

function checkStep(
  step: AnyStep,
  path: string,
  section: Section,
  scope: Scope[],
  recipe: Recipe,
  module: RecipeModules[string] | undefined,
  extracted: Set<string>,
  fail: Fail,
): void {
  for (const [field, value] of templatedFields(step)) {
    const problem = templateProblem(value, scope, extracted);
    if (problem) fail(`${path}.${field}`, problem);
  }
  for (const [field, value] of selectorFields(step)) {
    const problem = selectorProblem(value);
    if (problem) fail(`${path}.${field}`, problem);
  }
  if (step.type === 'extract') {
    if ((step.selector === undefined) === (step.from === undefined))
      fail(path, 'needs either "selector" (read the page) or "from" (a value read earlier)');
    if (step.from !== undefined && !extracted.has(step.from))
      fail(`${path}.from`, `needs an earlier extract or request step with "as": "${step.from}"`);
    if (step.from !== undefined && step.pattern === undefined) fail(`${path}.pattern`, 'required with "from"');
    if (step.pattern !== undefined && !patternCompiles(step.pattern))
      fail(`${path}.pattern`, 'not a valid regular expression');
  }
  const nested = scope.length > 1;
  const submits = (step.type === 'click' || step.type === 'call') && step.submitsOrder;
  if (submits && (section !== 'steps' || nested))
    fail(`${path}.submitsOrder`, 'only a top-level step of "steps" can submit the order');
  if (submits && step.type === 'click' && step.optional)
    fail(`${path}.optional`, 'the step that submits the order cannot be optional');
  if (step.type === 'guardPrice' && (section !== 'steps' || nested))
    fail(path, 'guardPrice belongs in the top level of "steps"');
  if (step.type === 'call') {
    if (!recipe.module) fail(`${path}.action`, 'a call step needs the recipe to name a module');
    else if (module && !module.actions?.[step.action]) {
      fail(
        `${path}.action`,
        `module "${recipe.module}" has no action "${step.action}"; it has: ${Object.keys(module.actions ?? {}).join(', ') || 'none'}`,
      );
    }
  }
}

/** Whether a pattern compiles once its placeholders are filled in (with a plain word). */
function patternCompiles(pattern: string): boolean {
  try {
    new RegExp(pattern.replace(/\{\{[^{}]*\}\}/g, 'x'));
    return true;
  } catch {
    return false;
  }
}

function templatedFields(step: AnyStep): [string, string][] {
  const fields: [string, string][] = [];
  if ('selector' in step && step.selector !== undefined) fields.push(['selector', step.selector]);
  if (step.type === 'extract' && step.pattern !== undefined) fields.push(['pattern', step.pattern]);
  if (step.type === 'request' && step.json !== undefined) fields.push(['json', step.json]);
  if ('url' in step) fields.push(['url', step.url]);
  if (step.type === 'fill' || step.type === 'select') fields.push(['value', step.value]);
  if (step.type === 'choose') {
    fields.push(['option', step.option]);
    if (step.trigger) fields.push(['trigger', step.trigger]);
    if (step.expect) fields.push(['expect', step.expect]);
  }
  if (step.type === 'click' && step.waitForResponse) fields.push(['waitForResponse', step.waitForResponse]);
  if (step.type === 'click' && step.expect) fields.push(['expect', step.expect]);
  if (step.type === 'failIf') fields.push(['message', step.message]);
  if (step.type === 'repeat') fields.push(['times', step.times]);
  if (step.type === 'emptyCart')
    fields.push(['removeSelector', step.removeSelector], ['emptySelector', step.emptySelector]);
  return fields;
}

function selectorFields(step: AnyStep): [string, string][] {
  const fields: [string, string][] = [];
  if ('selector' in step && step.selector !== undefined) fields.push(['selector', step.selector]);
  if ('frame' in step && step.frame) fields.push(['frame', step.frame]);
  if (step.type === 'choose') {
    for (const key of ['trigger', 'optionSelector', 'clickInside', 'expect'] as const)
      if (step[key]) fields.push([key, step[key]!]);
  }
  if (step.type === 'click' && step.expect) fields.push(['expect', step.expect]);
  if (step.type === 'emptyCart')
    fields.push(['removeSelector', step.removeSelector], ['emptySelector', step.emptySelector]);
  return fields;
}

function templateProblem(template: string, scope: Scope[], extracted: Set<string>): string | undefined {
  try {
    for (const name of findTemplateVariables(template)) {
      if (name.startsWith(EXTRACTED_PREFIX)) {
        if (!extracted.has(name.slice(EXTRACTED_PREFIX.length)))
          return `{{${name}}} needs an earlier extract step with "as": "${name.slice(EXTRACTED_PREFIX.length)}"`;
        continue;
      }
      if (name === 'repeat.index' || name === 'repeat.count') {
        if (!scope.includes('repeat')) return `{{${name}}} is only available inside repeat`;
        continue;
      }
      const variable = (TEMPLATE_VARIABLES as Record<string, { scope: string }>)[name];
      if (!variable) return `unknown template variable {{${name}}}`;
      if (variable.scope === 'item' && !scope.includes('item'))
        return `{{${name}}} is only available inside forEachItem`;
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
    if (step.type === 'forEachItem' || step.type === 'repeat') step.steps.forEach(visit);
  };
  const lookupSteps = recipe.lookup && 'steps' in recipe.lookup ? recipe.lookup.steps : [];
  [...(recipe.signIn?.steps ?? []), ...lookupSteps, ...recipe.steps, ...(recipe.onAbort?.steps ?? [])].forEach(visit);
  return names;
}

const extracts = (step: AnyStep, as: string): boolean => step.type === 'extract' && step.as === as;

function checkPlacementOrder(steps: readonly RecipeStep[], fail: Fail): void {
  const submitIndexes = steps.flatMap((step, index) =>
    (step.type === 'click' || step.type === 'call') && step.submitsOrder ? [index] : [],
  );
  if (submitIndexes.length === 0) {
    fail('steps', 'mark the step that submits the order with "submitsOrder": true');
    return;
  }
  for (const extra of submitIndexes.slice(1))
    fail(`steps.${extra}.submitsOrder`, `only one step may submit the order (steps.${submitIndexes[0]} already does)`);
  const submitAt = submitIndexes[0]!;

  const guardAt = steps.findIndex((step) => step.type === 'guardPrice');
  if (guardAt < 0 || guardAt > submitAt)
    fail('steps', `add a guardPrice step before the step that submits the order (steps.${submitAt})`);
  steps.forEach((step, index) => {
    if (
      step.type === 'guardPrice' &&
      !steps.slice(0, index).some((earlier) => extracts(earlier, 'retailerTotalCents'))
    ) {
      fail(`steps.${index}`, 'guardPrice needs an earlier extract with "as": "retailerTotalCents"');
    }
  });
  if (!steps.slice(submitAt + 1).some((step) => extracts(step, 'confirmationNumber'))) {
    fail(
      'steps',
      `add an extract with "as": "confirmationNumber" after the step that submits the order (steps.${submitAt})`,
    );
  }
}

const usesOrderNumber = (steps: readonly AnyStep[]): boolean =>
  steps.some(
    (step) =>
      templatedFields(step).some(([, value]) => /\{\{\s*order\.orderNumber\b/.test(value)) ||
      ((step.type === 'forEachItem' || step.type === 'repeat') && usesOrderNumber(step.steps)),
  );

function checkLookup(
  recipe: Recipe,
  module: RecipeModules[string] | undefined,
  modulesKnown: boolean,
  fail: Fail,
): void {
  const lookup = recipe.lookup;
  if (lookup && module?.lookup) {
    fail('lookup', `module "${recipe.module}" provides the lookup; remove one of the two`);
    return;
  }
  if (lookup && 'none' in lookup) return;
  if (lookup) {
    const found = lookup.steps.find((step) => extracts(step, 'confirmationNumber'));
    if (!found || found.type !== 'extract' || !found.optional) {
      // Without it, nothing the lookup sees can ever mean "placed": it could only ever answer "not placed".
      fail(
        'lookup.steps',
        'needs an extract with "as": "confirmationNumber" and "optional": true: without it the lookup could only ever answer "not placed"',
      );
      return;
    }
    if (!usesOrderNumber(lookup.steps)) {
      fail(
        'lookup.steps',
        'must look for our order number ({{order.orderNumber}}) in a URL or selector: any other order would be taken for ours',
      );
    }
    const evidence = lookup.notPlacedWhen;
    if (typeof evidence === 'string') {
      const problem = selectorProblem(evidence);
      if (problem) fail('lookup.notPlacedWhen', problem);
      else if (evidence.trim() === found.selector?.trim())
        fail('lookup.notPlacedWhen', 'must differ from the selector that finds our order');
    } else if (evidence) {
      const sources = new Set(
        lookup.steps.flatMap((step) => (step.type === 'extract' || step.type === 'request' ? [step.as] : [])),
      );
      if (!sources.has(evidence.from))
        fail('lookup.notPlacedWhen.from', `needs a lookup step with "as": "${evidence.from}"`);
      if (!patternCompiles(evidence.pattern)) fail('lookup.notPlacedWhen.pattern', 'not a valid regular expression');
      else if (evidence.pattern === found.pattern)
        fail('lookup.notPlacedWhen.pattern', 'must differ from the pattern that finds our order');
    }
    return;
  }
  // With an unknown registry, a named module may still provide the lookup; the adapter checks with its own.
  if (module?.lookup || (recipe.module && !modulesKnown)) return;
  fail(
    'lookup',
    'required: without it a retry cannot tell whether the retailer already has the order (or name a module that provides one, or declare {"none": true, "reason": "…"})',
  );
}
