import type { FormObject } from './form-body';
import * as p from './params';
import { newStripeId, nowSeconds, type SandboxState } from './sandbox-state';
import { formatAmount, invalidParam, invalidState, resourceMissing } from './stripe-error';
import type { ChargeObject, PaymentIntentObject, RefundObject } from './types';

/** The Refunds resource: https://docs.stripe.com/api/refunds */

const CREATE_PARAMS = new Set([
  'payment_intent',
  'charge',
  'amount',
  'reason',
  'metadata',
  'instructions_email',
  'expand',
]);
/** Why a held refund fails when the sandbox is told to fail it: the most common reason Stripe reports. */
const HELD_REFUND_FAILURE_REASON = 'expired_or_canceled_card';
const REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

/**
 * Refunds part or all of what a payment captured. The amount defaults to everything still refundable, and,
 * like Stripe, asking for more than that is refused; the remainder released by a partial capture or a cancel
 * counts as already returned.
 */
export function createRefund(state: SandboxState, params: FormObject): RefundObject {
  p.assertKnownParams(params, CREATE_PARAMS);
  const intentId = p.optionalString(params, 'payment_intent');
  const chargeId = p.optionalString(params, 'charge');
  const requested = p.optionalInteger(params, 'amount');
  const reason = p.optionalEnum(params, 'reason', REASONS) ?? null;
  const metadata = p.mergeMetadata({}, p.optionalMetadata(params));
  if (!intentId && !chargeId) {
    throw invalidParam('One of the following params should be provided for this request: payment_intent or charge.', {
      code: 'parameter_missing',
    });
  }
  if (requested !== undefined && requested <= 0) {
    throw invalidParam('Invalid positive integer', { code: 'parameter_invalid_integer', param: 'amount' });
  }
  const charge = intentId ? chargeOfIntent(state, intentId) : chargeById(state, chargeId!);

  const refundable = charge.amount - charge.amount_refunded;
  if (refundable === 0) {
    throw invalidState(`Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded' });
  }
  const amount = requested ?? refundable;
  if (amount > refundable) {
    throw invalidState(
      `Refund amount (${formatAmount(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatAmount(refundable, charge.currency)})`,
      { code: 'amount_too_large', param: 'amount' },
    );
  }
  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded === charge.amount;
  const refund: RefundObject = {
    id: newStripeId('re'),
    object: 'refund',
    amount,
    balance_transaction: newStripeId('txn'),
    charge: charge.id,
    created: nowSeconds(),
    currency: charge.currency,
    metadata,
    payment_intent: charge.payment_intent,
    reason,
    status: state.holdingRefunds ? 'pending' : 'succeeded',
  };
  state.refunds.set(refund.id, refund);
  state.stats.refundsCreated += 1;
  // What Stripe sends for every refund, made through the API or in the Dashboard.
  state.emit('charge.refunded', charge);
  state.emit('refund.created', refund);
  return refund;
}

export function retrieveRefund(state: SandboxState, id: string): RefundObject {
  const refund = state.refunds.get(id);
  if (!refund) throw resourceMissing('refund', id);
  return refund;
}

/**
 * Settles every refund held `pending`, as the card network eventually does. A failed refund gives its amount
 * back to the charge (Stripe returns it to the balance, and the charge can be refunded again).
 */
export function settleHeldRefunds(state: SandboxState, outcome: 'succeeded' | 'failed'): RefundObject[] {
  const held = [...state.refunds.values()].filter((refund) => refund.status === 'pending');
  for (const refund of held) {
    refund.status = outcome;
    if (outcome === 'failed') {
      refund.failure_reason = HELD_REFUND_FAILURE_REASON;
      const charge = state.charges.get(refund.charge)!;
      charge.amount_refunded -= refund.amount;
      charge.refunded = false;
    }
    state.emit('refund.updated', refund);
    if (outcome === 'failed') state.emit('refund.failed', refund);
  }
  return held;
}

function chargeOfIntent(state: SandboxState, intentId: string): ChargeObject {
  const intent: PaymentIntentObject | undefined = state.paymentIntents.get(intentId)?.intent;
  if (!intent) {
    throw invalidParam(`No such payment_intent: '${intentId}'`, { code: 'resource_missing', param: 'payment_intent' });
  }
  if (intent.status !== 'succeeded' || !intent.latest_charge) {
    throw invalidState(`This PaymentIntent (${intent.id}) does not have a successful charge to refund.`, {
      code: 'charge_not_refundable',
      param: 'payment_intent',
    });
  }
  return state.charges.get(intent.latest_charge)!;
}

function chargeById(state: SandboxState, chargeId: string): ChargeObject {
  const charge = state.charges.get(chargeId);
  if (!charge) throw invalidParam(`No such charge: '${chargeId}'`, { code: 'resource_missing', param: 'charge' });
  if (charge.status !== 'succeeded' || !charge.captured) {
    throw invalidState(`Charge ${charge.id} has not been captured and cannot be refunded.`, {
      code: 'charge_not_refundable',
      param: 'charge',
    });
  }
  return charge;
}
