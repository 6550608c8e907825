import { DomainError } from '../domain/errors';
import { PaymentGatewayUnavailableError, type ChargeOutcome, type PaymentSnapshot } from '../payments/payment-gateway';
import type { CheckoutSessionRecord } from '../domain/checkout-session';
import type { ServiceDeps } from './service-deps';
import { cancelKey } from '../domain/idempotency-keys';

// A PaymentIntent an earlier place left on a checkout session (one that asked for 3-D Secure): what it means for
// the session, and how to make sure it can no longer take money.

/**
 * The statuses in which Stripe can still cancel a PaymentIntent, after which it never takes money
 * (https://docs.stripe.com/api/payment_intents/cancel; `processing` is cancellable only for some asynchronous
 * methods, and for a card means the money is being taken, so it counts as paid here).
 */
const CANCELLABLE_PAYMENT_STATUSES: readonly PaymentSnapshot['status'][] = [
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'requires_capture',
];

/** The shopper's money has been taken, or is being taken: the payment must be used, never replaced. */
export const isPaid = (payment: PaymentSnapshot) => payment.status === 'succeeded' || payment.status === 'processing';

/**
 * Makes sure a PaymentIntent an earlier place left on the session (one awaiting 3-D Secure) can no longer take
 * money, by cancelling it while Stripe still can. Answers what it is now: `canceled` (or another unpaid end), or
 * `succeeded` / `processing` when the shopper paid first, even in a race with the cancel itself.
 */
export async function cancelEarlierPayment(
  deps: Pick<ServiceDeps, 'payments'>,
  session: Pick<CheckoutSessionRecord, 'id' | 'paymentAttempt'>,
  paymentIntentId: string,
  known?: PaymentSnapshot,
): Promise<PaymentSnapshot> {
  const payment = known ?? (await deps.payments.retrieve(paymentIntentId));
  if (!CANCELLABLE_PAYMENT_STATUSES.includes(payment.status)) return payment;
  try {
    return await deps.payments.cancel(paymentIntentId, cancelKey(session, paymentIntentId));
  } catch (error) {
    if (error instanceof PaymentGatewayUnavailableError) throw error;
    // Refused: it moved on since it was read (the shopper finished 3-D Secure just now). What it became decides.
    const current = await deps.payments.retrieve(paymentIntentId);
    if (CANCELLABLE_PAYMENT_STATUSES.includes(current.status)) throw error;
    return current;
  }
}

/** The shopper has paid the session's earlier PaymentIntent: the session can only be placed now, with that payment. */
export function paymentAlreadyCompleted(payment: PaymentSnapshot): DomainError {
  const message =
    payment.status === 'processing'
      ? 'A payment for this checkout is already being processed; place the session to finish the checkout with it'
      : 'This checkout has already been paid (3-D Secure was completed); place the session to finish the checkout with that payment';
  return new DomainError('payment_already_completed', message, {
    paymentIntentId: payment.paymentIntentId,
    paymentStatus: payment.status,
  });
}

/**
 * The provider refused to take this payment at all (its amount or currency): the shopper's card is not at fault
 * and another card would be refused too, so the answer says what to change.
 */
export function paymentRefused(outcome: Extract<ChargeOutcome, { kind: 'refused' }>): DomainError {
  const advice: Record<string, string> = {
    amount_too_large:
      'The total is above what the payment provider accepts in one payment; remove items and check out again',
    amount_too_small:
      'The total is below the smallest payment the payment provider accepts; add items and check out again',
  };
  const message =
    advice[outcome.code] ?? 'The payment provider refused this payment; cancel the checkout and start again';
  return new DomainError('payment_refused', message, {
    reason: outcome.code,
    ...(outcome.param ? { param: outcome.param } : {}),
  });
}

/** What paying for an attempt came to: the provider's outcome, or an earlier payment still being processed. */
export type PaymentOutcome = ChargeOutcome | { kind: 'processing'; paymentIntentId: string };

/** Whether a payment was made for exactly this session's snapshot. */
export const paysFor = (session: CheckoutSessionRecord, payment: PaymentSnapshot) =>
  payment.amountCents === session.totalCents && payment.metadata.checkout_session_id === session.id;

/**
 * The shopper completed this session's earlier payment: paid, or (capture policy after_placement) authorized for
 * exactly its snapshot. Either buys the snapshot; an authorization is captured later like any other.
 */
export const completedFor = (session: CheckoutSessionRecord, payment: PaymentSnapshot) =>
  payment.status === 'succeeded' || (payment.status === 'requires_capture' && paysFor(session, payment));

/** An earlier payment as the outcome of this attempt; null when it did not and will not pay. */
export function asOutcome(payment: PaymentSnapshot): PaymentOutcome | null {
  const { paymentIntentId, amountCents } = payment;
  switch (payment.status) {
    case 'succeeded':
      return { kind: 'succeeded', paymentIntentId, amountCents, capturedCents: payment.capturedCents };
    case 'requires_capture':
      return { kind: 'authorized', paymentIntentId, amountCents };
    case 'processing':
      return { kind: 'processing', paymentIntentId };
    case 'requires_action':
      return payment.clientSecret
        ? { kind: 'requires_action', paymentIntentId, clientSecret: payment.clientSecret }
        : null;
    default:
      return null;
  }
}
