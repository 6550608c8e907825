import type { ProviderDispute, ProviderRefund } from './payment-gateway';

/**
 * The objects of Stripe's events (signed, so trusted, but shaped by whichever API version the endpoint uses) as the
 * domain sees them. Expandable fields may be an id or the object; anything missing or odd reads as absent.
 */
const REFUND_STATUSES: readonly ProviderRefund['status'][] = [
  'pending',
  'succeeded',
  'failed',
  'canceled',
  'requires_action',
];

/** An expandable Stripe field: an id, or the object with its id. */
export function idOf(value: unknown): string | null {
  if (typeof value === 'string' && value) return value;
  if (value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string')
    return (value as { id: string }).id;
  return null;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);
const cents = (value: unknown): number =>
  Number.isSafeInteger(value) && (value as number) > 0 ? (value as number) : 0;
const when = (value: unknown): Date => new Date((Number.isFinite(value) ? (value as number) : 0) * 1000);

export function refundOf(object: Record<string, unknown>): ProviderRefund {
  const status = REFUND_STATUSES.find((known) => known === object.status) ?? 'pending';
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  return {
    refundId: String(object.id),
    paymentIntentId: idOf(object.payment_intent),
    amountCents: cents(object.amount),
    currency: text(object.currency) ?? 'usd',
    status,
    createdAt: when(object.created),
    idempotencyKey: text(metadata.idempotency_key),
    reason: text(object.reason),
    ...(status === 'failed' || status === 'canceled' ? { failureCode: text(object.failure_reason) ?? status } : {}),
  };
}

export function disputeOf(object: Record<string, unknown>): ProviderDispute | null {
  const paymentIntentId = idOf(object.payment_intent);
  if (!paymentIntentId || !cents(object.amount)) return null;
  return {
    disputeId: String(object.id),
    paymentIntentId,
    chargeId: idOf(object.charge),
    amountCents: cents(object.amount),
    currency: text(object.currency) ?? 'usd',
    reason: text(object.reason),
    status: text(object.status) ?? 'needs_response',
    createdAt: when(object.created),
  };
}
