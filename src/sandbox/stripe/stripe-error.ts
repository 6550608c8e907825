import type { PaymentIntentObject, PaymentMethodObject } from './types';

/** The body of a Stripe error response: `{ error: StripeErrorBody }`. */
export interface StripeErrorBody {
  type: 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  charge?: string;
  doc_url?: string;
  payment_intent?: PaymentIntentObject;
  payment_method?: PaymentMethodObject;
}

/**
 * An error answer from the sandbox's Stripe API. `replayable` says whether the idempotency layer saves it:
 * Stripe saves results only once an endpoint has begun executing, so parameter validation failures are not
 * saved and may be retried with the same key (https://docs.stripe.com/api/idempotent_requests).
 */
export class StripeApiError extends Error {
  readonly body: StripeErrorBody;

  constructor(
    readonly status: number,
    body: StripeErrorBody,
    readonly replayable: boolean,
  ) {
    super(body.message);
    this.name = 'StripeApiError';
    this.body = body.code
      ? { ...body, doc_url: `https://stripe.com/docs/error-codes/${body.code.replace(/_/g, '-')}` }
      : body;
  }
}

type Extra = Partial<Omit<StripeErrorBody, 'type' | 'message'>>;

/** A bad or missing parameter: 400, not saved for idempotent replay. */
export const invalidParam = (message: string, extra: Extra = {}): StripeApiError =>
  new StripeApiError(400, { type: 'invalid_request_error', message, ...extra }, false);

/** A request that is valid but not allowed in the object's current state: 400, saved. */
export const invalidState = (message: string, extra: Extra = {}): StripeApiError =>
  new StripeApiError(400, { type: 'invalid_request_error', message, ...extra }, true);

/** An object named in the URL does not exist: 404 resource_missing. */
export const resourceMissing = (kind: string, id: string, param = 'id'): StripeApiError =>
  new StripeApiError(
    404,
    { type: 'invalid_request_error', code: 'resource_missing', param, message: `No such ${kind}: '${id}'` },
    false,
  );

export const cardError = (body: Omit<StripeErrorBody, 'type'>): StripeApiError =>
  new StripeApiError(402, { type: 'card_error', ...body }, true);

export const unauthorized = (message: string): StripeApiError =>
  new StripeApiError(401, { type: 'invalid_request_error', message }, false);

export const internalError = (message: string): StripeApiError =>
  new StripeApiError(500, { type: 'api_error', message }, false);

/** Formats cents the way Stripe's messages do: `$12.34`. */
export function formatAmount(cents: number, currency: string): string {
  const units = (cents / 100).toFixed(2);
  return currency === 'usd' ? `$${units}` : `${units} ${currency}`;
}
