import type { FormObject } from './form-body';
import { invalidParam } from './stripe-error';

/**
 * Stripe answers each request in the API version it names (`Stripe-Version`), or the account's default version.
 * The sandbox follows the one version change that matters to checkout: from 2026-08-26 PaymentIntents no longer
 * take `payment_method_types` (use `allowed_payment_method_types`), and passing it is a 400
 * (https://docs.stripe.com/changelog/endive/2026-09-30/removes-the-payment-method-types-parameter-from-payment-intents-and-setup-intents).
 */

/** The sandbox account's version, used when a request names none (curl, older SDKs). */
export const DEFAULT_API_VERSION = '2025-09-30.clover';
const PAYMENT_METHOD_TYPES_REMOVED = '2026-08-26';

export function assertSupportedInVersion(apiVersion: string, path: string, params: FormObject): void {
  const removed = apiVersion.slice(0, 10) >= PAYMENT_METHOD_TYPES_REMOVED;
  if (removed && path.startsWith('/v1/payment_intents') && params.payment_method_types !== undefined) {
    throw invalidParam(
      `The payment_method_types parameter is no longer supported on API version ${apiVersion}. Use allowed_payment_method_types, excluded_payment_method_types or dynamic payment methods instead.`,
      { code: 'payment_method_types_no_longer_supported', param: 'payment_method_types' },
    );
  }
}
