import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import demoRecipe from './demo-storefront-recipe.json';
import type { RecipeModules } from './recipe-module';
import { builtInRecipeModules } from './recipe-modules';
import { STEP_TYPES } from './recipe-schema';
import { validateRecipe } from './recipe-validation';
import { TEMPLATE_VARIABLES } from './recipe-variables';

/** The smallest recipe the rules accept; tests break one thing at a time. */
const minimal = () => ({
  version: 1,
  lookup: {
    steps: [
      { type: 'goto', url: '{{baseUrl}}/orders?ref={{order.orderNumber}}' },
      { type: 'extract', selector: '.confirmation', as: 'confirmationNumber', optional: true },
    ] as Record<string, unknown>[],
  },
  steps: [
    { type: 'forEachItem', steps: [{ type: 'goto', url: '{{baseUrl}}/p/{{item.sku}}' }] },
    { type: 'extract', selector: '.total', as: 'retailerTotalCents' },
    { type: 'guardPrice' },
    { type: 'click', selector: '#buy', waitForNavigation: true, submitsOrder: true },
    { type: 'extract', selector: '.confirmation', as: 'confirmationNumber' },
  ] as Record<string, unknown>[],
});

const errorsOf = (input: unknown, modules?: RecipeModules) => {
  const result = validateRecipe(input, { modules });
  return result.ok ? {} : result.errors;
};

describe('validateRecipe', () => {
  it('accepts the demo storefront recipe and the minimal one', () => {
    expect(validateRecipe(demoRecipe, { modules: builtInRecipeModules })).toMatchObject({ ok: true });
    expect(validateRecipe(minimal())).toMatchObject({ ok: true, recipe: { version: 1 } });
  });

  it('when the input is not a recipe at all, then the whole recipe is named', () => {
    expect(errorsOf(null)).toEqual({ recipe: 'expected object, received null' });
    expect(errorsOf({ ...minimal(), version: 2 })).toEqual({ version: 'expected 1' });
  });

  it('when steps are malformed, then each error names the path of the field', () => {
    const recipe = minimal();
    recipe.steps[1] = { type: 'extract', as: 'retailerTotalCents' };
    recipe.steps.push(
      { type: 'clik', selector: '#x' },
      { type: 'waitFor', selectr: '#x', selector: '#y' },
      { type: 'extract', selector: 'x', as: 'n', pattern: '(' },
    );

    // An extract's selector (or `from`) and its pattern are checked with the rules, once the shape is right
    // (recipe-language.test.ts); shape errors come first.
    expect(errorsOf(recipe)).toEqual({
      'steps.5.type': expect.stringMatching(/^"clik" is not a step type; expected one of goto, fill, .*forEachItem$/),
      'steps.6.selectr': 'unknown field',
    });
  });

  it('when a template names an unknown variable, or an item variable outside forEachItem, then that field is named', () => {
    const recipe = minimal();
    recipe.steps.unshift(
      { type: 'fill', selector: '#zip', value: '{{adress.zip}}' },
      { type: 'select', selector: '#size', value: '{{item.size}}' },
    );

    expect(errorsOf(recipe)).toEqual({
      'steps.0.value': 'unknown template variable {{adress.zip}}',
      'steps.1.value': '{{item.size}} is only available inside forEachItem',
    });
  });

  it('when no step submits the order, then it says so', () => {
    const recipe = minimal();
    recipe.steps[3] = { type: 'click', selector: '#buy' };
    expect(errorsOf(recipe)).toEqual({ steps: 'mark the step that submits the order with "submitsOrder": true' });
  });

  it('when two steps submit the order, then the second is named', () => {
    const recipe = minimal();
    recipe.steps.push({ type: 'click', selector: '#again', submitsOrder: true });
    expect(errorsOf(recipe)).toEqual({
      'steps.5.submitsOrder': 'only one step may submit the order (steps.3 already does)',
    });
  });

  it('when the price guard comes after the submit, or has no retailer total to compare, then the recipe is refused', () => {
    const late = minimal();
    late.steps.splice(2, 1);
    late.steps.push({ type: 'guardPrice' });
    expect(errorsOf(late)).toEqual({ steps: 'add a guardPrice step before the step that submits the order (steps.2)' });

    const blind = minimal();
    blind.steps.splice(1, 1);
    expect(errorsOf(blind)).toEqual({
      'steps.1': 'guardPrice needs an earlier extract with "as": "retailerTotalCents"',
    });
  });

  it('when nothing reads the confirmation number after the submit, then the recipe is refused', () => {
    const recipe = minimal();
    recipe.steps.pop();
    expect(errorsOf(recipe)).toEqual({
      steps: 'add an extract with "as": "confirmationNumber" after the step that submits the order (steps.3)',
    });
  });

  it('when the submit or the price guard sit inside forEachItem, then they are refused', () => {
    const recipe = minimal();
    recipe.steps[0] = {
      type: 'forEachItem',
      steps: [{ type: 'guardPrice' }, { type: 'click', selector: '#x', submitsOrder: true }],
    };
    expect(errorsOf(recipe)).toMatchObject({
      'steps.0.steps.0': 'guardPrice belongs in the top level of "steps"',
      'steps.0.steps.1.submitsOrder': 'only a top-level step of "steps" can submit the order',
    });
  });

  describe('lookup', () => {
    it('is required, because a retry without it could buy the order twice', () => {
      const { lookup: _lookup, ...recipe } = minimal();
      expect(errorsOf(recipe)).toEqual({ lookup: expect.stringMatching(/^required: without it a retry cannot tell/) });
    });

    it('must read the confirmation number optionally, so that "not there" is an answer', () => {
      const recipe = minimal();
      recipe.lookup.steps[1] = { type: 'extract', selector: '.confirmation', as: 'confirmationNumber' };
      expect(errorsOf(recipe)).toEqual({ 'lookup.steps': expect.stringContaining('"optional": true') });
    });

    it('may come from a registered module instead, but not from both', () => {
      const { lookup, ...withoutLookup } = minimal();
      expect(errorsOf({ ...withoutLookup, module: 'paged-order-history' }, builtInRecipeModules)).toEqual({});
      expect(errorsOf({ ...withoutLookup, lookup, module: 'paged-order-history' }, builtInRecipeModules)).toEqual({
        lookup: 'module "paged-order-history" provides the lookup; remove one of the two',
      });
    });
  });

  describe('modules', () => {
    const modules: RecipeModules = { widgets: { description: 'test', actions: { pickDate: async () => undefined } } };

    it('when the module is not registered, then it lists the registered ones', () => {
      expect(errorsOf({ ...minimal(), module: 'nope' }, modules)).toEqual({
        module: 'unknown module "nope"; registered: widgets',
      });
    });

    it('when a call step names a missing action, or the recipe names no module, then the action is named', () => {
      const recipe = { ...minimal(), module: 'widgets' };
      recipe.steps.unshift({ type: 'call', action: 'pickDate' }, { type: 'call', action: 'pickTime' });
      expect(errorsOf(recipe, modules)).toEqual({
        'steps.1.action': 'module "widgets" has no action "pickTime"; it has: pickDate',
      });

      const moduleless = minimal();
      moduleless.steps.unshift({ type: 'call', action: 'pickDate' });
      expect(errorsOf(moduleless, modules)).toEqual({
        'steps.0.action': 'a call step needs the recipe to name a module',
      });
    });
  });
});

describe('docs/recipes.md', () => {
  const docs = readFileSync(join(__dirname, '../../../docs/recipes.md'), 'utf8');

  it.each(Object.keys(TEMPLATE_VARIABLES))('documents the template variable %s', (name) => {
    expect(docs).toContain(`{{${name}}}`);
  });

  it.each(STEP_TYPES)('documents the %s step', (type) => {
    expect(docs).toContain(`### \`${type}\``);
  });
});
