import type { FormObject, FormValue } from './form-body';
import { invalidParam } from './stripe-error';

/**
 * Readers for form-encoded parameters with Stripe's validation errors. Every value arrives as a string (or a
 * nested hash/array of strings); these coerce and check it, and throw 400s worded the way Stripe words them.
 */

export function assertKnownParams(params: FormObject, allowed: ReadonlySet<string>): void {
  for (const name of Object.keys(params)) {
    if (!allowed.has(name)) {
      throw invalidParam(`Received unknown parameter: ${name}`, { code: 'parameter_unknown', param: name });
    }
  }
}

function scalar(params: FormObject, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw invalidParam(`Invalid ${name}: must be a string`, { code: 'parameter_invalid_string', param: name });
  }
  return value;
}

export function optionalString(params: FormObject, name: string): string | undefined {
  const value = scalar(params, name);
  return value === '' ? undefined : value;
}

export function requiredString(params: FormObject, name: string): string {
  const value = optionalString(params, name);
  if (value === undefined) throw missing(name);
  return value;
}

export function optionalInteger(params: FormObject, name: string): number | undefined {
  const value = scalar(params, name);
  if (value === undefined) return undefined;
  if (!/^-?\d{1,15}$/.test(value)) {
    throw invalidParam(`Invalid integer: ${value}`, { code: 'parameter_invalid_integer', param: name });
  }
  return Number(value);
}

export function requiredInteger(params: FormObject, name: string): number {
  const value = optionalInteger(params, name);
  if (value === undefined) throw missing(name);
  return value;
}

export function optionalBoolean(params: FormObject, name: string): boolean | undefined {
  const value = scalar(params, name);
  if (value === undefined || value === '') return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw invalidParam(`Invalid boolean: ${value}`, { param: name });
}

export function optionalEnum<T extends string>(params: FormObject, name: string, values: readonly T[]): T | undefined {
  const value = optionalString(params, name);
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value)) {
    throw invalidParam(`Invalid ${name}: must be one of ${values.join(', ')}`, { param: name });
  }
  return value as T;
}

export function optionalStringArray(params: FormObject, name: string): string[] | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw invalidParam(`Invalid array`, { param: name });
  }
  return value;
}

export function optionalHash(params: FormObject, name: string): FormObject | undefined {
  const value: FormValue | undefined = params[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string' || Array.isArray(value)) throw invalidParam('Invalid object', { param: name });
  return value;
}

/**
 * Stripe's metadata rules: at most 50 keys, keys up to 40 characters, values up to 500. An empty value unsets
 * a key; `metadata=` (empty) unsets them all, which the returned `null` stands for.
 */
export function optionalMetadata(
  params: FormObject,
  name = 'metadata',
): Record<string, string | null> | null | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (value === '') return null;
  if (typeof value === 'string' || Array.isArray(value)) throw invalidParam('Invalid object', { param: name });
  const entries = Object.entries(value);
  if (entries.length > 50) throw invalidParam('Invalid metadata: metadata may have at most 50 keys', { param: name });
  const metadata: Record<string, string | null> = {};
  for (const [key, item] of entries) {
    if (typeof item !== 'string')
      throw invalidParam('Invalid metadata: values must be strings', { param: `${name}[${key}]` });
    if (key.length > 40)
      throw invalidParam('Invalid metadata: keys must be at most 40 characters', { param: `${name}[${key}]` });
    if (item.length > 500)
      throw invalidParam('Invalid metadata: values must be at most 500 characters', { param: `${name}[${key}]` });
    metadata[key] = item === '' ? null : item;
  }
  return metadata;
}

/** Applies a metadata update (from optionalMetadata) to existing metadata. */
export function mergeMetadata(
  current: Record<string, string>,
  update: Record<string, string | null> | null | undefined,
): Record<string, string> {
  if (update === undefined) return current;
  if (update === null) return {};
  const merged = { ...current };
  for (const [key, value] of Object.entries(update)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

const missing = (name: string) =>
  invalidParam(`Missing required param: ${name}.`, { code: 'parameter_missing', param: name });
