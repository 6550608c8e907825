import type { SandboxState } from './sandbox-state';
import { newStripeId, nowSeconds } from './sandbox-state';
import { invalidParam, invalidState, resourceMissing } from './stripe-error';
import type { ChargeObject, DisputeObject, DisputeStatus } from './types';

/**
 * Disputes (https://docs.stripe.com/api/disputes): a cardholder asks their bank for the money back. Only the card
 * network opens one, so the sandbox opens, moves and closes them from its control surface, sending the events
 * Stripe sends: `charge.dispute.created`, `charge.dispute.updated`, `charge.dispute.closed`.
 */

export const DISPUTE_REASONS = [
  'bank_cannot_process',
  'credit_not_processed',
  'customer_initiated',
  'debit_not_authorized',
  'duplicate',
  'fraudulent',
  'general',
  'incorrect_account_details',
  'insufficient_funds',
  'product_not_received',
  'product_unacceptable',
  'subscription_canceled',
  'unrecognized',
] as const;
export const OPEN_DISPUTE_STATUSES = [
  'warning_needs_response',
  'warning_under_review',
  'needs_response',
  'under_review',
] as const;
const CLOSED: readonly DisputeStatus[] = ['warning_closed', 'won', 'lost'];

export interface OpenDisputeRequest {
  paymentIntentId: string;
  /** Defaults to what the charge has not refunded. */
  amount?: number;
  reason?: (typeof DISPUTE_REASONS)[number];
  status?: 'needs_response' | 'warning_needs_response';
}

export function openDispute(state: SandboxState, request: OpenDisputeRequest): DisputeObject {
  const charge = capturedChargeOf(state, request.paymentIntentId);
  const left = charge.amount - charge.amount_refunded;
  const amount = request.amount ?? left;
  if (!Number.isInteger(amount) || amount <= 0 || amount > charge.amount_captured) {
    throw invalidParam(`A dispute amount must be between 1 and ${charge.amount_captured}`, { param: 'amount' });
  }
  const dispute: DisputeObject = {
    id: newStripeId('dp'),
    object: 'dispute',
    amount,
    balance_transactions: [newStripeId('txn')],
    charge: charge.id,
    created: nowSeconds(),
    currency: charge.currency,
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: charge.payment_intent,
    reason: request.reason ?? 'fraudulent',
    status: request.status ?? 'needs_response',
  };
  charge.disputed = true;
  state.disputes.set(dispute.id, dispute);
  state.emit('charge.dispute.created', dispute);
  return dispute;
}

/** The dispute moves on while open (evidence submitted: under_review). */
export function updateDispute(
  state: SandboxState,
  id: string,
  status: (typeof OPEN_DISPUTE_STATUSES)[number],
): DisputeObject {
  const dispute = openDisputeById(state, id);
  dispute.status = status;
  state.emit('charge.dispute.updated', dispute);
  return dispute;
}

/** The bank decides: `won` gives the money back to the merchant, `lost` keeps it with the cardholder. */
export function closeDispute(
  state: SandboxState,
  id: string,
  outcome: 'won' | 'lost' | 'warning_closed',
): DisputeObject {
  const dispute = openDisputeById(state, id);
  dispute.status = outcome;
  state.emit('charge.dispute.closed', dispute);
  return dispute;
}

export function retrieveDispute(state: SandboxState, id: string): DisputeObject {
  const dispute = state.disputes.get(id);
  if (!dispute) throw resourceMissing('dispute', id);
  return dispute;
}

function openDisputeById(state: SandboxState, id: string): DisputeObject {
  const dispute = retrieveDispute(state, id);
  if (CLOSED.includes(dispute.status))
    throw invalidState(`This dispute is already closed (${dispute.status}).`, { code: 'dispute_already_closed' });
  return dispute;
}

function capturedChargeOf(state: SandboxState, paymentIntentId: string): ChargeObject {
  const intent = state.paymentIntents.get(paymentIntentId)?.intent;
  if (!intent)
    throw invalidParam(`No such payment_intent: '${paymentIntentId}'`, {
      code: 'resource_missing',
      param: 'payment_intent',
    });
  const charge = intent.latest_charge ? state.charges.get(intent.latest_charge) : undefined;
  if (!charge || !charge.captured)
    throw invalidState(`PaymentIntent ${paymentIntentId} has no captured charge to dispute.`, {
      param: 'payment_intent',
    });
  return charge;
}
