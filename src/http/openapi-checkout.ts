import type { AddOperation } from './openapi-operation';
import { RATE_LIMITED } from './openapi-operation';
import { describePromotionsApi, PROMO_CODE_ERRORS } from './openapi-promotions';
import { CheckoutSession, PaymentInput, PlaceResult, SessionIdParam, ShippingAddressInput } from './schemas/checkout';

/** A checkout session from the frozen cart to one payment and one order per store, promo codes included. */
export function describeCheckoutApi(add: AddOperation): void {
  const checkout = ['Checkout'];
  const sessionEditErrors = {
    404: 'not_found',
    409: 'session_already_placed | session_not_editable (cancelled) | request_in_progress (being placed) | payment_already_completed (3-D Secure was completed: place it)',
    410: 'session_expired',
  };
  add('post', '/checkout/sessions', {
    summary: 'Freeze the cart into a checkout session (30 minutes)',
    tags: checkout,
    response: CheckoutSession,
    status: 201,
    errors: {
      409: 'product_unavailable',
      422: `cart_empty | mixed_currencies | amount_too_large | amount_too_small (the total is outside what one payment may be) | the cart's promo code can no longer be used: ${PROMO_CODE_ERRORS}`,
    },
  });
  add('get', '/checkout/sessions/{sessionId}', {
    summary: 'A checkout session, with its orders once placed',
    tags: checkout,
    params: SessionIdParam,
    response: CheckoutSession,
    errors: { 404: 'not_found' },
  });
  add('put', '/checkout/sessions/{sessionId}/shipping', {
    summary: 'Set the shipping address (fills tax and totals)',
    tags: checkout,
    params: SessionIdParam,
    body: ShippingAddressInput,
    response: CheckoutSession,
    errors: { ...sessionEditErrors, 422: 'amount_too_large (tax takes the total above the largest payment)' },
  });
  add('put', '/checkout/sessions/{sessionId}/payment', {
    summary: 'Set the Stripe payment method',
    tags: checkout,
    params: SessionIdParam,
    body: PaymentInput,
    response: CheckoutSession,
    errors: { ...sessionEditErrors, 429: RATE_LIMITED },
  });
  add('post', '/checkout/sessions/{sessionId}/place', {
    summary: 'Pay once for the whole snapshot and split into one order per store',
    tags: checkout,
    params: SessionIdParam,
    idempotent: true,
    response: PlaceResult,
    status: 201,
    errors: {
      402: 'payment_declined (details.declineCode) | payment_requires_action (details.clientSecret)',
      404: 'not_found',
      409: 'session_already_placed | session_not_editable (cancelled) | request_in_progress (same key still running, or being placed)',
      410: 'session_expired',
      422: 'session_incomplete | idempotency_key_reused | promo_code_exhausted | promo_code_limit_reached (the code’s last use went to another checkout: nothing was charged) | payment_refused (the payment provider refused the amount or currency: details.reason; the session stays payable and cancellable)',
      429: RATE_LIMITED,
      503: 'service_unavailable (retry with the same key)',
    },
  });
  describePromotionsApi(add, sessionEditErrors);
  add('delete', '/checkout/sessions/{sessionId}', {
    summary: 'Cancel an unplaced session',
    tags: checkout,
    params: SessionIdParam,
    response: CheckoutSession,
    errors: {
      404: 'not_found',
      409: 'session_already_placed | request_in_progress (being placed) | payment_already_completed (3-D Secure was completed: place it)',
    },
  });
}
