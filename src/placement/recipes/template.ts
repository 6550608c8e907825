/**
 * `{{variable.path}}` templates for recipe values, with optional filters: `{{order.orderNumber | digits |
 * stripLeadingZeros}}`. No expressions and no escapes, so a recipe reads the same to ops as it does to the
 * runner. Values are inserted verbatim unless a filter says otherwise.
 */

export type TemplateValue = string | number | undefined;
/** Flat map from variable path (`address.zip`) to value. A key with an `undefined` value is known but empty. */
export type TemplateValues = Readonly<Record<string, TemplateValue>>;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const VARIABLE_NAME = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/;

/** CSS.escape as specified (CSSOM §2.1), for values put inside selectors. */
function cssEscape(value: string): string {
  let out = '';
  for (const [index, ch] of [...value].entries()) {
    const code = ch.codePointAt(0)!;
    if (code === 0) out += '\uFFFD';
    else if ((code >= 1 && code <= 0x1f) || code === 0x7f || (index === 0 && code >= 0x30 && code <= 0x39))
      out += `\\${code.toString(16)} `;
    else if (index === 1 && code >= 0x30 && code <= 0x39 && value[0] === '-') out += `\\${code.toString(16)} `;
    else if (index === 0 && ch === '-' && value.length === 1) out += '\\-';
    else if (code >= 0x80 || ch === '-' || ch === '_' || /[0-9A-Za-z]/.test(ch)) out += ch;
    else out += `\\${ch}`;
  }
  return out;
}

/** What a recipe may pipe a value through. docs/recipes.md lists the same set. */
export const TEMPLATE_FILTERS: Readonly<Record<string, { description: string; apply(value: string): string }>> = {
  digits: { description: 'only the digits: "MO-00417" → "00417"', apply: (v) => v.replace(/\D/g, '') },
  stripLeadingZeros: {
    description: 'leading zeros removed (one zero stays): "00417" → "417"',
    apply: (v) => v.replace(/^0+(?=.)/, ''),
  },
  url: {
    description: 'percent-encoded for a URL path or query part (encodeURIComponent)',
    apply: (v) => encodeURIComponent(v),
  },
  css: { description: 'escaped for use inside a CSS selector (CSS.escape)', apply: cssEscape },
  regex: {
    description: 'escaped for use inside a regular expression (a `pattern`)',
    apply: (v) => v.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'),
  },
  json: { description: 'escaped for use inside a JSON string', apply: (v) => JSON.stringify(v).slice(1, -1) },
  lower: { description: 'lower case', apply: (v) => v.toLowerCase() },
  upper: { description: 'upper case', apply: (v) => v.toUpperCase() },
  trim: { description: 'surrounding white space removed', apply: (v) => v.trim() },
  dollars: {
    description: 'cents as a decimal amount: 2599 → "25.99"',
    apply: (v) =>
      /^-?\d+$/.test(v)
        ? `${v.startsWith('-') ? '-' : ''}${Math.trunc(Math.abs(Number(v)) / 100)}.${String(Math.abs(Number(v)) % 100).padStart(2, '0')}`
        : v,
  },
};

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly variable?: string,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

interface Placeholder {
  name: string;
  filters: string[];
}

function parsePlaceholder(body: string): Placeholder {
  const [rawName = '', ...rawFilters] = body.split('|').map((part) => part.trim());
  if (!VARIABLE_NAME.test(rawName)) throw new TemplateError(`malformed placeholder {{${body}}}`, rawName);
  for (const filter of rawFilters) {
    if (!Object.hasOwn(TEMPLATE_FILTERS, filter)) {
      throw new TemplateError(
        `unknown filter "${filter}" in {{${body}}}; filters: ${Object.keys(TEMPLATE_FILTERS).join(', ')}`,
        rawName,
      );
    }
  }
  return { name: rawName, filters: rawFilters };
}

function parse(template: string): Placeholder[] {
  const found: Placeholder[] = [];
  const rest = template.replace(PLACEHOLDER, (_match, body: string) => {
    found.push(parsePlaceholder(body));
    return '';
  });
  if (rest.includes('{{') || rest.includes('}}')) throw new TemplateError('unbalanced {{ or }}');
  return found;
}

/** The variable paths a template refers to, in order; throws on a malformed placeholder or an unknown filter. */
export function findTemplateVariables(template: string): string[] {
  return parse(template).map((placeholder) => placeholder.name);
}

/** Replaces every placeholder; an unknown variable throws, a known one without a value renders as ''. */
export function renderTemplate(template: string, values: TemplateValues): string {
  for (const { name } of parse(template)) {
    if (!Object.hasOwn(values, name)) throw new TemplateError(`unknown template variable {{${name}}}`, name);
  }
  return template.replace(PLACEHOLDER, (_match, body: string) => {
    const { name, filters } = parsePlaceholder(body);
    return filters.reduce((value, filter) => TEMPLATE_FILTERS[filter]!.apply(value), String(values[name] ?? ''));
  });
}
