/**
 * Stripe's v1 API takes `application/x-www-form-urlencoded` bodies with bracket nesting:
 * `metadata[order]=MO-1`, `payment_method_types[]=card`, and the indexed arrays stripe-node sends,
 * `payment_method_types[0]=card`. This turns such a body (or a query string) into nested plain values.
 */
export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

export class FormSyntaxError extends Error {
  constructor(readonly key: string) {
    super(`Invalid array or hash parameter: ${key}`);
    this.name = 'FormSyntaxError';
  }
}

const SEGMENT = /^\[([^[\]]*)\]/;
const INDEX = /^\d+$/;

export function parseStripeForm(encoded: string): FormObject {
  const root: FormObject = {};
  if (!encoded) return root;
  for (const [key, value] of new URLSearchParams(encoded)) {
    setPath(root, splitKey(key), value, key);
  }
  return root;
}

function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open === -1) return [key];
  if (open === 0) throw new FormSyntaxError(key);
  const segments = [key.slice(0, open)];
  let rest = key.slice(open);
  while (rest) {
    const match = SEGMENT.exec(rest);
    if (!match) throw new FormSyntaxError(key);
    segments.push(match[1]);
    rest = rest.slice(match[0].length);
  }
  return segments;
}

const isArraySegment = (segment: string): boolean => segment === '' || INDEX.test(segment);

function setPath(container: FormObject | FormValue[], path: string[], value: string, key: string): void {
  const [segment, ...rest] = path;
  if (segment === '__proto__') throw new FormSyntaxError(key);
  let slot: string | number = segment;
  if (Array.isArray(container)) {
    if (!isArraySegment(segment)) throw new FormSyntaxError(key);
    slot = segment === '' ? container.length : Number(segment);
    // Dense arrays only: an index may repeat (to nest further) or append, never skip ahead.
    if (slot > container.length) throw new FormSyntaxError(key);
  }
  const current = (container as Record<string | number, FormValue | undefined>)[slot];
  if (rest.length === 0) {
    if (current !== undefined && typeof current !== 'string') throw new FormSyntaxError(key);
    (container as Record<string | number, FormValue>)[slot] = value;
    return;
  }
  const wantArray = isArraySegment(rest[0]);
  let child = current;
  if (child === undefined) {
    child = wantArray ? [] : {};
    (container as Record<string | number, FormValue>)[slot] = child;
  } else if (typeof child === 'string' || Array.isArray(child) !== wantArray) {
    throw new FormSyntaxError(key);
  }
  setPath(child as FormObject | FormValue[], rest, value, key);
}
