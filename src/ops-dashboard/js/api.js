// The public API under /api/v1, called with the signed-in person's bearer token.

import { currentToken } from './session.js';

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Calls the API and returns the whole success envelope; anything else is thrown as an ApiError. */
async function request(method, path, body, token) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network_error', 'The service could not be reached');
  }
  const payload = await response.json().catch(() => null);
  if (response.ok && payload?.success) return payload;
  const error = payload?.error ?? {};
  throw new ApiError(
    response.status,
    error.code ?? `http_${response.status}`,
    error.message ?? response.statusText,
    error.details,
  );
}

/** Calls the API and returns the envelope's `data`. */
export async function api(method, path, body, token = currentToken()) {
  return (await request(method, path, body, token)).data;
}

/**
 * GETs one page of a list: its `items` (the envelope's `data`) and `total`, how many match in all (the list's
 * `meta.total…` count, e.g. `totalTasks`).
 */
export async function apiPage(path, totalName) {
  const { data, meta } = await request('GET', path, undefined, currentToken());
  return { items: data, total: meta?.[totalName] ?? data.length };
}

/** What the error means for the person, in plain words, before the API's own message. */
const PLAIN_WORDS = {
  unauthorized:
    'Your sign-in was not accepted: the token is missing, invalid or expired. Sign in again with a fresh token.',
  forbidden: 'This token is not allowed to do that: the ops dashboard needs a token with the ops (or admin) role.',
  task_not_open:
    'This task is no longer open: someone else may have claimed it, or it was already completed or failed.',
  invalid_transition: 'The order cannot make that change from its current status.',
  validation_failed: 'Some of what was entered was not accepted.',
  not_found: 'It was not found: check the number, or it may have been removed.',
  conflict: 'Someone changed this at the same moment. Refresh and try again.',
  service_unavailable: 'A service we depend on is unavailable right now. Try again in a minute.',
  catalog_sync_failed:
    'The retailer’s catalog could not be read, so nothing was changed. The schedule tries again later.',
  catalog_not_readable:
    'This store’s connection cannot read the retailer’s catalog: its products are kept by hand (PUT /admin/products).',
  network_error: 'The service could not be reached. Check that it is running, then try again.',
  internal_error: 'Something went wrong on our side. Try again; if it keeps happening, tell the engineering team.',
};

/**
 * A sentence for the person: the plain-words meaning, the API's message, field problems, and the error code
 * so it can be quoted to whoever looks into it.
 */
export function describeError(error) {
  if (!(error instanceof ApiError))
    return {
      summary: 'Something unexpected happened in the dashboard.',
      message: String(error?.message ?? error),
      code: 'client_error',
      fields: [],
    };
  const fields = Object.entries(error.details?.fields ?? {}).map(
    ([field, problem]) => `${field || 'input'}: ${problem}`,
  );
  return {
    summary: PLAIN_WORDS[error.code] ?? `The request was refused (HTTP ${error.status}).`,
    message: error.message,
    code: error.code,
    fields,
  };
}
