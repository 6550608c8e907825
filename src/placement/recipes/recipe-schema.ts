import { z } from 'zod';

/**
 * The shape of a retailer recipe: what ops store in a store's placement_config to teach the headless adapter
 * a checkout flow. docs/recipes.md is the manual; `checkRecipe` (recipe-checks.ts) adds the rules a shape cannot express
 * (a price guard before the submit, known template variables, registered modules, a lookup that can tell).
 */

/** CSS, or `text=…`, `label=…`, `role=name[name="…"]` (see element-selector.ts). */
const selector = z.string().trim().min(1, 'required');
const template = z.string();
const note = z.string().optional();
const timeoutMs = z.int().min(100).max(120_000);
const identifier = z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'letters and digits, starting with a letter');

export const FAIL_CODES = ['out_of_stock', 'address_rejected', 'rejected'] as const;

/** Fields every step that works on an element shares. */
const onElement = {
  /** The step's element is inside this iframe (a payment provider's card fields). */
  frame: selector.optional(),
  /** When the element does not show up within the timeout, the step is skipped instead of failing. */
  optional: z.boolean().optional(),
  timeoutMs: timeoutMs.optional(),
  note,
};

const gotoStep = z.strictObject({ type: z.literal('goto'), url: template.min(1, 'required'), note });
const fillStep = z.strictObject({
  type: z.literal('fill'),
  selector,
  value: template,
  skipIfEmpty: z.boolean().optional(),
  ...onElement,
});
const selectStep = z.strictObject({
  type: z.literal('select'),
  selector,
  value: template,
  skipIfEmpty: z.boolean().optional(),
  ...onElement,
});
/**
 * A custom dropdown or a group of styled radios: click the trigger (if any), then the option whose visible text
 * is `option` (or contains it, with `"match": "contains"`); `clickInside` clicks an element inside that option.
 */
const chooseStep = z.strictObject({
  type: z.literal('choose'),
  trigger: selector.optional(),
  option: template.min(1, 'required'),
  optionSelector: selector.optional(),
  match: z.enum(['exact', 'contains']).optional(),
  clickInside: selector.optional(),
  expect: selector.optional(),
  skipIfEmpty: z.boolean().optional(),
  ...onElement,
});
const clickStep = z.strictObject({
  type: z.literal('click'),
  selector,
  waitForNavigation: z.boolean().optional(),
  /** After the click, wait for a response whose URL contains this; an error status fails the step. */
  waitForResponse: template.min(1).optional(),
  /** After the click, wait until this element exists (e.g. a radio's `[aria-checked="true"]`). */
  expect: selector.optional(),
  submitsOrder: z.boolean().optional(),
  ...onElement,
});
const waitForStep = z.strictObject({ type: z.literal('waitFor'), selector, ...onElement });
const waitForGoneStep = z.strictObject({
  type: z.literal('waitForGone'),
  selector,
  timeoutMs: timeoutMs.optional(),
  frame: selector.optional(),
  note,
});
const waitForStableStep = z.strictObject({
  type: z.literal('waitForStable'),
  /** How long the network and the page must stay quiet. */
  quietMs: z.int().min(100).max(10_000).optional(),
  timeoutMs: timeoutMs.optional(),
  note,
});
/** Reads an element's text (or attribute), or with `from` a value an earlier step read (a `request`'s body). */
const extractStep = z.strictObject({
  type: z.literal('extract'),
  selector: selector.optional(),
  from: identifier.optional(),
  as: identifier,
  attribute: z.string().min(1).optional(),
  /** A regular expression (a template: `{{order.orderNumber | regex}}` inserts our number); group 1 or the match is kept. */
  pattern: z.string().min(1).optional(),
  ...onElement,
});
/**
 * Calls the shop's own API from the signed-in page (same cookies, same origin) and keeps the response body as
 * `extracted.<as>`: for shops whose pages never show our reference but whose account API does.
 */
const requestStep = z.strictObject({
  type: z.literal('request'),
  url: template.min(1, 'required'),
  method: z.enum(['GET', 'POST']).optional(),
  /** A JSON body (template), sent with content-type application/json. */
  json: template.optional(),
  as: identifier,
  timeoutMs: timeoutMs.optional(),
  note,
});
const guardPriceStep = z.strictObject({ type: z.literal('guardPrice'), note });
const failIfStep = z.strictObject({
  type: z.literal('failIf'),
  selector,
  code: z.enum(FAIL_CODES),
  message: z.string().min(1, 'required'),
  frame: selector.optional(),
  note,
});
const screenshotStep = z.strictObject({
  type: z.literal('screenshot'),
  label: z
    .string()
    .regex(/^[a-z0-9-]{1,40}$/, 'lower-case letters, digits and dashes')
    .optional(),
  note,
});
const callStep = z.strictObject({
  type: z.literal('call'),
  action: z.string().min(1, 'required'),
  submitsOrder: z.boolean().optional(),
  note,
});
/** Empties a cart the shop keeps on its server: opens it and removes lines until its empty state shows. */
const emptyCartStep = z.strictObject({
  type: z.literal('emptyCart'),
  url: template.min(1, 'required'),
  removeSelector: selector,
  emptySelector: selector,
  maxItems: z.int().min(1).max(100).optional(),
  timeoutMs: timeoutMs.optional(),
  note,
});

const simpleSteps = [
  gotoStep,
  fillStep,
  selectStep,
  chooseStep,
  clickStep,
  waitForStep,
  waitForGoneStep,
  waitForStableStep,
  extractStep,
  requestStep,
  guardPriceStep,
  failIfStep,
  screenshotStep,
  callStep,
  emptyCartStep,
] as const;
const simpleStepSchema = z.discriminatedUnion('type', [...simpleSteps]);
/** `times` is a template (`{{item.quantity}}`); a repeat never runs more than `max` (default 20) times. */
const repeatStep = z.strictObject({
  type: z.literal('repeat'),
  times: template.min(1, 'required'),
  max: z.int().min(1).max(100).optional(),
  steps: z.array(simpleStepSchema).min(1).max(50),
  note,
});

/** A step inside `forEachItem`; items do not nest. */
export const itemStepSchema = z.discriminatedUnion('type', [...simpleSteps, repeatStep]);
const forEachItemStep = z.strictObject({
  type: z.literal('forEachItem'),
  steps: z.array(itemStepSchema).min(1).max(100),
  note,
});
export const stepSchema = z.discriminatedUnion('type', [...simpleSteps, repeatStep, forEachItemStep]);

const stepList = z.array(stepSchema).min(1, 'needs at least one step').max(200);
const section = z.strictObject({ steps: stepList, note });
/**
 * Signing in again for every order trips shops' login rate limits (EverShop: 8 per 15 minutes per address).
 * With `reuseSession`, the cookies of the last run are put back first; when `url` then shows `signedInWhen`,
 * the sign-in steps are skipped.
 */
const signInSection = z.strictObject({
  steps: stepList,
  reuseSession: z.strictObject({ url: template.min(1, 'required'), signedInWhen: selector }).optional(),
  note,
});

/**
 * How a retry finds an order an earlier attempt may have placed. `notPlacedWhen` is what positively shows
 * "loaded, and our order is not there" (an explicit empty state, a loaded marker); without it a lookup can
 * only answer "placed" or "unknown". `{ "none": true }` declares that the shop has no reliable lookup.
 */
const absenceEvidence = z.union([
  selector,
  z.strictObject({ from: identifier, pattern: z.string().min(1, 'required') }),
]);
const lookupSection = z.union([
  z.strictObject({ steps: stepList, notPlacedWhen: absenceEvidence.optional(), note }),
  z.strictObject({ none: z.literal(true), reason: z.string().min(1, 'required'), note }),
]);

export const recipeSchema = z.strictObject({
  version: z.literal(1),
  description: z.string().optional(),
  /** A code module registered with the adapter, for what data cannot express. */
  module: z.string().min(1).optional(),
  /** Runs first on every attempt: get a signed-in session. */
  signIn: signInSection.optional(),
  /** Runs on retries before `steps`: finds an order an earlier attempt placed. */
  lookup: lookupSection.optional(),
  steps: stepList,
  /** Runs (best effort) when `steps` stop before the submit, e.g. to empty a server-side cart. */
  onAbort: section.optional(),
});

export type Recipe = z.infer<typeof recipeSchema>;
export type RecipeStep = z.infer<typeof stepSchema>;
export type ItemStep = z.infer<typeof itemStepSchema>;
export type SimpleStep = z.infer<typeof simpleStepSchema>;
export type StepType = RecipeStep['type'];
export type RecipeLookup = NonNullable<Recipe['lookup']>;
export const STEP_TYPES = stepSchema.options.map((option) => option.shape.type.value);
