import type { FormObject, FormValue } from './form-body';
import { StripeApiError, invalidParam } from './stripe-error';

/**
 * Stripe's v1 idempotency layer (https://docs.stripe.com/api/idempotent_requests), keyed per API key:
 * - the first request with a key runs, and its status and body are saved once the endpoint has begun executing
 *   (errors included; parameter validation failures are not saved, so they may be retried with the same key);
 * - the same key with the same endpoint and parameters replays the saved answer (`Idempotent-Replayed: true`);
 * - the same key with another endpoint or other parameters is a 400 idempotency_error;
 * - the same key while the first request is still running is a 409 `idempotency_key_in_use`, which is
 *   Stripe's "conflicts with another request executing concurrently": nothing is saved for it, and stripe-node
 *   retries 409s with backoff, by which time the first request's answer is there to replay. So concurrent
 *   duplicates never create a second object.
 * Keys are kept for 24 hours, as Stripe keeps them at least that long.
 */
export interface SavedResponse {
  status: number;
  body: string;
}

interface Entry {
  endpoint: string;
  fingerprint: string;
  createdAt: number;
  requestId: string;
  response?: SavedResponse;
}

export type IdempotencyDecision =
  | { kind: 'execute'; finish(response: SavedResponse, replayable: boolean): void }
  | { kind: 'replay'; response: SavedResponse; originalRequestId: string }
  | { kind: 'reject'; error: StripeApiError };

const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;
const MAX_KEY_LENGTH = 255;

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  begin(request: {
    apiKey: string;
    key: string;
    endpoint: string;
    params: FormObject;
    requestId: string;
  }): IdempotencyDecision {
    const { apiKey, key, endpoint, requestId } = request;
    if (key.length > MAX_KEY_LENGTH) {
      return {
        kind: 'reject',
        error: invalidParam(`Invalid Idempotency-Key: keys may be at most ${MAX_KEY_LENGTH} characters long.`),
      };
    }
    const scoped = `${apiKey}\u0000${key}`;
    const fingerprint = canonicalJson(request.params);
    const existing = this.entries.get(scoped);
    if (existing && Date.now() - existing.createdAt < KEY_LIFETIME_MS) {
      if (existing.endpoint !== endpoint) {
        return reject(
          `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${existing.endpoint}' vs '${endpoint}'). Try using a key other than '${key}' if you meant to execute a different request.`,
        );
      }
      if (existing.fingerprint !== fingerprint) {
        return reject(
          `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        );
      }
      if (!existing.response) {
        return {
          kind: 'reject',
          error: new StripeApiError(
            409,
            {
              type: 'invalid_request_error',
              code: 'idempotency_key_in_use',
              message: `There is currently another in-progress request using this idempotent key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
            },
            false,
          ),
        };
      }
      return { kind: 'replay', response: existing.response, originalRequestId: existing.requestId };
    }

    const entry: Entry = { endpoint, fingerprint, createdAt: Date.now(), requestId };
    this.entries.set(scoped, entry);
    return {
      kind: 'execute',
      finish: (response, replayable) => {
        if (replayable) entry.response = response;
        else if (this.entries.get(scoped) === entry) this.entries.delete(scoped);
      },
    };
  }

  clear(): void {
    this.entries.clear();
  }
}

const reject = (message: string): IdempotencyDecision => ({
  kind: 'reject',
  error: new StripeApiError(400, { type: 'idempotency_error', message }, false),
});

/** JSON with sorted object keys, so that parameter order does not make two equal requests differ. */
function canonicalJson(value: FormValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
}
