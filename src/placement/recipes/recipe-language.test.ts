import evershopRecipe from './evershop-recipe.json';
import { toPuppeteerSelector } from './element-selector';
import { builtInRecipeModules } from './recipe-modules';
import { validateRecipe } from './recipe-validation';

const minimal = () => ({
  version: 1,
  lookup: {
    steps: [
      { type: 'goto', url: '{{baseUrl}}/orders?ref={{order.orderNumber}}' },
      { type: 'extract', selector: '.confirmation', as: 'confirmationNumber', optional: true },
    ] as Record<string, unknown>[],
    notPlacedWhen: '.no-orders' as unknown,
  } as Record<string, unknown>,
  steps: [
    { type: 'forEachItem', steps: [{ type: 'goto', url: '{{baseUrl}}/p/{{item.sku}}' }] },
    { type: 'extract', selector: '.total', as: 'retailerTotalCents' },
    { type: 'guardPrice' },
    { type: 'click', selector: '#buy', waitForNavigation: true, submitsOrder: true },
    { type: 'extract', selector: '.confirmation', as: 'confirmationNumber' },
  ] as Record<string, unknown>[],
});
const errorsOf = (input: unknown) => {
  const result = validateRecipe(input, { modules: builtInRecipeModules });
  return result.ok ? {} : result.errors;
};

describe('the shipped EverShop recipe', () => {
  it('is valid', () => {
    expect(validateRecipe(evershopRecipe, { modules: builtInRecipeModules })).toMatchObject({ ok: true });
  });
});

describe('lookups that cannot be fooled', () => {
  it('accepts a recipe that declares the shop has no reliable lookup', () => {
    expect(errorsOf({ ...minimal(), lookup: { none: true, reason: 'the shop shows no order history' } })).toEqual({});
    expect(errorsOf({ ...minimal(), lookup: { none: true } })).toEqual({ 'lookup.reason': 'required' });
  });

  it('refuses a lookup that can only ever answer "not placed" (nothing in it can see our order)', () => {
    const recipe = minimal();
    (recipe.lookup.steps as unknown[]).splice(1, 1);
    expect(errorsOf(recipe)).toEqual({
      'lookup.steps': expect.stringContaining('could only ever answer "not placed"'),
    });
  });

  it('refuses a lookup that never looks for our order number', () => {
    const recipe = minimal();
    recipe.lookup.steps = [
      { type: 'goto', url: '{{baseUrl}}/orders' },
      { type: 'extract', selector: '.confirmation', as: 'confirmationNumber', optional: true },
    ];
    expect(errorsOf(recipe)).toEqual({ 'lookup.steps': expect.stringContaining('{{order.orderNumber}}') });
  });

  it('refuses absence evidence that is the same as the sign of our order, or reads a value nobody extracted', () => {
    const same = minimal();
    same.lookup.notPlacedWhen = '.confirmation';
    expect(errorsOf(same)).toEqual({ 'lookup.notPlacedWhen': 'must differ from the selector that finds our order' });

    const unread = minimal();
    unread.lookup.notPlacedWhen = { from: 'history', pattern: '"orders":\\[' };
    expect(errorsOf(unread)).toEqual({ 'lookup.notPlacedWhen.from': 'needs a lookup step with "as": "history"' });
  });
});

describe('recipe language additions', () => {
  it('accepts choose, repeat, waitForGone, waitForStable, emptyCart, request and optional steps', () => {
    const recipe = minimal();
    recipe.steps.splice(
      0,
      1,
      {
        type: 'emptyCart',
        url: '{{baseUrl}}/cart',
        removeSelector: 'text=Remove',
        emptySelector: 'text=Your cart is empty',
      },
      { type: 'click', selector: 'role=button[name="Accept cookies"]', optional: true, timeoutMs: 1000 },
      {
        type: 'forEachItem',
        steps: [
          { type: 'goto', url: '{{baseUrl}}/p/{{item.sku | url}}' },
          {
            type: 'repeat',
            times: '{{item.quantity}}',
            max: 10,
            steps: [{ type: 'click', selector: 'label=Increase quantity' }],
          },
        ],
      },
      { type: 'waitForGone', selector: '.spinner' },
      { type: 'waitForStable', quietMs: 300 },
      { type: 'choose', trigger: '#country', option: '{{address.countryName}}' },
      { type: 'fill', frame: 'iframe[name="card"]', selector: '#number', value: '{{order.orderNumber | digits}}' },
      { type: 'request', url: '{{baseUrl}}/api/cart', as: 'cart' },
      { type: 'extract', from: 'cart', pattern: '"id":"([^"]+)"', as: 'cartId' },
      { type: 'goto', url: '{{baseUrl}}/cart/{{extracted.cartId}}' },
    );
    expect(errorsOf(recipe)).toEqual({});
  });

  it('names what is wrong with the new steps', () => {
    const recipe = minimal();
    recipe.steps.unshift(
      { type: 'goto', url: '{{baseUrl}}/cart/{{extracted.cartId}}' },
      { type: 'fill', selector: '#q', value: '{{repeat.index}}' },
      { type: 'click', selector: 'role=button[name=Buy]' },
      { type: 'extract', selector: '.x', from: 'cart', as: 'y', pattern: '(' },
      { type: 'goto', url: '{{order.orderNumber | nope}}' },
    );
    expect(errorsOf(recipe)).toEqual({
      'steps.0.url': '{{extracted.cartId}} needs an earlier extract step with "as": "cartId"',
      'steps.1.value': '{{repeat.index}} is only available inside repeat',
      'steps.2.selector': 'expected role=<role> or role=<role>[name="…"]',
      'steps.3': 'needs either "selector" (read the page) or "from" (a value read earlier)',
      'steps.3.from': 'needs an earlier extract or request step with "as": "cart"',
      'steps.3.pattern': 'not a valid regular expression',
      'steps.4.url': expect.stringContaining('unknown filter "nope"'),
    });
  });

  it('maps text, label and role selectors onto Puppeteer query handlers and leaves CSS alone', () => {
    expect(toPuppeteerSelector('text=Add to cart')).toBe('::-p-text("Add to cart")');
    expect(toPuppeteerSelector('form#productForm button >> text=Add to cart')).toBe(
      'form#productForm button::-p-text("Add to cart")',
    );
    expect(toPuppeteerSelector('label=Email')).toBe('::-p-aria("Email")');
    expect(toPuppeteerSelector('role=radio[name="Cash On Delivery"]')).toBe(
      '::-p-aria([role="radio"][name="Cash On Delivery"])',
    );
    expect(toPuppeteerSelector('#place-order')).toBe('#place-order');
  });
});
