import type Stripe from 'stripe';
import type { PaymentSnapshot, ProviderPayment, ProviderRefund, RefundOutcome } from './payment-gateway';

/** Stripe's objects as the domain sees them: the mappings the Stripe gateway answers with. */

/** The refund metadata entry that carries its idempotency key, for findRefundByKey once Stripe forgets the key. */
export const REFUND_KEY_METADATA = 'idempotency_key';

export function toSnapshot(intent: Stripe.PaymentIntent): PaymentSnapshot {
  return {
    paymentIntentId: intent.id,
    status: knownStatus(intent),
    amountCents: intent.amount,
    capturedCents: intent.amount_received,
    currency: intent.currency,
    paymentMethodId: typeof intent.payment_method === 'string' ? intent.payment_method : intent.payment_method?.id,
    clientSecret: intent.client_secret ?? undefined,
    metadata: { ...intent.metadata },
  };
}

const PAYMENT_STATUSES: readonly PaymentSnapshot['status'][] = [
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
  'requires_capture',
  'canceled',
  'succeeded',
];

/** stripe-node types statuses as open strings, since Stripe may add some; one we do not know is a surprise. */
export function knownStatus(intent: Stripe.PaymentIntent): PaymentSnapshot['status'] {
  const known = PAYMENT_STATUSES.find((candidate) => candidate === intent.status);
  if (!known) throw new Error(`PaymentIntent ${intent.id} has an unknown status: ${intent.status}`);
  return known;
}

const REFUND_STATUSES: readonly RefundOutcome['status'][] = [
  'pending',
  'succeeded',
  'failed',
  'canceled',
  'requires_action',
];

export function toRefundOutcome(refund: Stripe.Refund): RefundOutcome {
  const status = toRefundStatus(refund.status);
  const ended = status === 'failed' || status === 'canceled';
  return {
    refundId: refund.id,
    amountCents: refund.amount,
    status,
    ...(ended ? { failureCode: refund.failure_reason ?? status } : {}),
  };
}

function toRefundStatus(status: string | null): RefundOutcome['status'] {
  // A refund is created pending until the network confirms it; Stripe may not report a status yet.
  if (status === null) return 'pending';
  const known = REFUND_STATUSES.find((candidate) => candidate === status);
  if (!known) throw new Error(`Unknown Stripe refund status: ${status}`);
  return known;
}

export function toProviderRefund(refund: Stripe.Refund): ProviderRefund {
  const outcome = toRefundOutcome(refund);
  return {
    refundId: refund.id,
    paymentIntentId:
      typeof refund.payment_intent === 'string' ? refund.payment_intent : (refund.payment_intent?.id ?? null),
    amountCents: refund.amount,
    currency: refund.currency,
    status: outcome.status,
    createdAt: new Date(refund.created * 1000),
    idempotencyKey: refund.metadata?.[REFUND_KEY_METADATA] ?? null,
    reason: refund.reason ?? null,
    ...(outcome.failureCode ? { failureCode: outcome.failureCode } : {}),
  };
}

export function toProviderPayment(intent: Stripe.PaymentIntent): ProviderPayment {
  const charge = typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
  const captured = charge?.captured ? charge.amount_captured : 0;
  // After a partial capture Stripe counts the released remainder in amount_refunded; it was never taken.
  const refunded = charge?.captured ? charge.amount_refunded - (charge.amount - charge.amount_captured) : 0;
  return {
    paymentIntentId: intent.id,
    status: knownStatus(intent),
    amountCents: intent.amount,
    currency: intent.currency,
    capturedCents: captured,
    refundedCents: Math.max(refunded, 0),
    createdAt: new Date(intent.created * 1000),
    metadata: { ...intent.metadata },
  };
}
