/**
 * `{{variable.path}}` templates for recipe values. Deliberately tiny: no expressions, no filters, no escapes, so
 * a recipe reads the same to ops as it does to the runner. Values are inserted verbatim.
 */

export type TemplateValue = string | number | undefined;
/** Flat map from variable path (`address.zip`) to value. A key with an `undefined` value is known but empty. */
export type TemplateValues = Readonly<Record<string, TemplateValue>>;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const VARIABLE_NAME = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/;

export class TemplateError extends Error {
  constructor(message: string, readonly variable?: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** The variable paths a template refers to, in order; throws on a malformed placeholder. */
export function findTemplateVariables(template: string): string[] {
  const names: string[] = [];
  const rest = template.replace(PLACEHOLDER, (_match, name: string) => {
    if (!VARIABLE_NAME.test(name)) throw new TemplateError(`malformed placeholder {{${name}}}`, name);
    names.push(name);
    return '';
  });
  if (rest.includes('{{') || rest.includes('}}')) throw new TemplateError('unbalanced {{ or }}');
  return names;
}

/** Replaces every placeholder; an unknown variable throws, a known one without a value renders as ''. */
export function renderTemplate(template: string, values: TemplateValues): string {
  for (const name of findTemplateVariables(template)) {
    if (!Object.hasOwn(values, name)) throw new TemplateError(`unknown template variable {{${name}}}`, name);
  }
  return template.replace(PLACEHOLDER, (_match, name: string) => String(values[name] ?? ''));
}
