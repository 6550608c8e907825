import Stripe from 'stripe';
import { PaymentGatewayUnavailableError, type ChargeOutcome } from './payment-gateway';

/**
 * What Stripe's errors mean to the gateway: a decline or a refusal is an outcome for the shopper, "Stripe could
 * not be reached or failed" is retryable with the same key, anything else is a bug and stays an error.
 */

/** A decline is an outcome: the shopper may pay with another method. An unknown PaymentMethod counts as one. */
export function asDecline(error: unknown): Extract<ChargeOutcome, { kind: 'declined' }> | undefined {
  if (error instanceof Stripe.errors.StripeCardError) {
    return {
      kind: 'declined',
      paymentIntentId: error.payment_intent?.id,
      declineCode: error.decline_code ?? error.code ?? 'card_declined',
      message: error.message,
    };
  }
  if (
    error instanceof Stripe.errors.StripeInvalidRequestError &&
    error.code === 'resource_missing' &&
    error.param === 'payment_method'
  ) {
    return { kind: 'declined', declineCode: 'invalid_payment_method', message: error.message };
  }
  return undefined;
}

/**
 * A create Stripe answers with an invalid-request error (https://docs.stripe.com/error-codes: `amount_too_large`,
 * `amount_too_small`, an unsupported `currency`, …) made no PaymentIntent and charged nothing; the same request is
 * refused again. A 401/403 (a bad key) or an idempotency error is not the shopper's doing and stays an error.
 */
export function asRefusal(error: unknown): Extract<ChargeOutcome, { kind: 'refused' }> | undefined {
  if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) return undefined;
  if (error.statusCode !== 400) return undefined;
  return {
    kind: 'refused',
    code: error.code ?? (error.param ? `invalid_${error.param}` : 'invalid_request'),
    message: error.message,
    ...(error.param ? { param: error.param } : {}),
  };
}

/**
 * Connection failures and timeouts, Stripe's own errors (5xx, `api_error`), rate limits and 409 conflicts
 * (a concurrent request with the same idempotency key, a lock timeout) all mean "nothing happened, or it did
 * and the same key will replay it".
 */
export function translateError(error: unknown): unknown {
  if (!(error instanceof Stripe.errors.StripeError)) return error;
  const status = error.statusCode ?? 0;
  const unavailable =
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeAPIError ||
    error instanceof Stripe.errors.StripeRateLimitError ||
    status >= 500 ||
    status === 409 ||
    status === 429;
  return unavailable ? new PaymentGatewayUnavailableError(`Stripe unavailable: ${error.message}`, error) : error;
}

/** Runs a Stripe request, its failures translated (`translateError`). */
export async function call<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw translateError(error);
  }
}

/** A retrieve that answers null for Stripe's 404 resource_missing. */
export async function orNull<T>(operation: () => Promise<T>): Promise<T | null> {
  try {
    return await operation();
  } catch (error) {
    if (
      error instanceof Stripe.errors.StripeInvalidRequestError &&
      error.statusCode === 404 &&
      error.code === 'resource_missing'
    )
      return null;
    throw translateError(error);
  }
}

/** A Stripe list, auto-paged and mapped, its failures translated. */
export async function* paged<T, R>(list: AsyncIterable<T>, map: (item: T) => R): AsyncIterable<R> {
  try {
    for await (const item of list) yield map(item);
  } catch (error) {
    throw translateError(error);
  }
}
