import type { RequestHandler } from 'express';
import { validationFailed } from '../domain/errors';
import { hasLoneSurrogate } from './auth';

/** Deeper than any request the API defines; deeper input is refused before anything walks or stringifies it. */
export const MAX_JSON_DEPTH = 32;

/**
 * Refuses, as 400 validation_failed naming the field, what no schema should have to think about: JSON nested deeper
 * than MAX_JSON_DEPTH, and text Postgres cannot store or that is not text at all (a NUL character, a lone UTF-16
 * surrogate), in the body, the query string or the path. It runs before routing, so a deep body never reaches
 * the idempotency fingerprint (JSON.stringify) or a schema.
 */
export const inputHygiene: RequestHandler = (req, _res, next) => {
  const problem = findProblem(req.body, 'body', 0) ?? findProblem(req.query, 'query', 0) ?? pathProblem(req.path);
  if (problem) return next(validationFailed({ [problem.field]: problem.message }));
  next();
};

interface Problem {
  field: string;
  message: string;
}

function badText(value: string): string | null {
  if (value.includes('\u0000')) return 'must not contain NUL characters';
  if (hasLoneSurrogate(value)) return 'must be valid Unicode text';
  return null;
}

function findProblem(value: unknown, path: string, depth: number): Problem | null {
  if (typeof value === 'string') {
    const message = badText(value);
    return message ? { field: path, message } : null;
  }
  if (value === null || typeof value !== 'object') return null;
  if (depth >= MAX_JSON_DEPTH) return { field: path, message: `nested deeper than ${MAX_JSON_DEPTH} levels` };
  for (const [key, item] of Object.entries(value)) {
    const field = path === 'body' || path === 'query' ? (path === 'query' ? `query.${key}` : key) : `${path}.${key}`;
    const keyMessage = badText(key);
    if (keyMessage) return { field: path, message: `field names ${keyMessage}` };
    const found = findProblem(item, field, depth + 1);
    if (found) return found;
  }
  return null;
}

function pathProblem(path: string): Problem | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return { field: 'path', message: 'is not a valid URL path' };
  }
  const message = badText(decoded);
  return message ? { field: 'path', message } : null;
}
