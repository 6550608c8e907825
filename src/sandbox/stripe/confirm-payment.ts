import {
  newStripeId,
  nowSeconds,
  type PaymentIntentRecord,
  type PaymentMethodRecord,
  type SandboxState,
} from './sandbox-state';
import { cardError, invalidState } from './stripe-error';
import { AUTHENTICATION_REQUIRED_DECLINE, type CardBehaviour } from './test-payment-methods';
import type { ChargeObject, PaymentIntentObject, PaymentIntentStatus } from './types';

/**
 * Confirmation: the moment a PaymentIntent meets the card network. Approved cards charge (or only authorize,
 * with manual capture), declined ones leave the intent in requires_payment_method with last_payment_error and
 * answer 402, and cards that need 3-D Secure stop at requires_action until the shopper authenticates.
 */
export interface ConfirmOptions {
  paymentMethod?: PaymentMethodRecord;
  /** The shopper is not present, so a 3-D Secure challenge cannot be shown: the issuer declines instead. */
  offSession?: boolean;
  errorOnRequiresAction?: boolean;
}

const CONFIRMABLE: readonly PaymentIntentStatus[] = [
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
];

export function confirmPaymentIntent(
  state: SandboxState,
  record: PaymentIntentRecord,
  options: ConfirmOptions,
): PaymentIntentObject {
  const intent = record.intent;
  state.stats.confirms += 1;
  if (!CONFIRMABLE.includes(intent.status)) {
    throw invalidState(
      `You cannot confirm this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be confirmed: ${CONFIRMABLE.join(', ')}.`,
      { code: 'payment_intent_unexpected_state', payment_intent: intent },
    );
  }
  const paymentMethod =
    options.paymentMethod ?? (intent.payment_method ? state.paymentMethods.get(intent.payment_method) : undefined);
  if (!paymentMethod) {
    throw invalidState(
      "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.",
      { code: 'payment_intent_unexpected_state', payment_intent: intent },
    );
  }
  intent.payment_method = paymentMethod.object.id;
  intent.last_payment_error = null;
  intent.next_action = null;

  let behaviour: CardBehaviour = paymentMethod.behaviour;
  if (behaviour.kind === 'authenticate' && record.authenticatedPaymentMethod === paymentMethod.object.id) {
    behaviour = { kind: 'approve' };
  } else if (behaviour.kind === 'authenticate' && (options.offSession || options.errorOnRequiresAction)) {
    behaviour = AUTHENTICATION_REQUIRED_DECLINE;
  }

  switch (behaviour.kind) {
    case 'approve':
      approve(state, intent, paymentMethod);
      return intent;
    case 'authenticate':
      intent.status = 'requires_action';
      intent.next_action = {
        type: 'use_stripe_sdk',
        use_stripe_sdk: {
          type: 'three_d_secure_redirect',
          stripe_js: `https://hooks.stripe.com/3d_secure_2/hosted?payment_intent=${intent.id}`,
          source: newStripeId('src'),
        },
      };
      return intent;
    case 'decline':
      throw decline(state, intent, paymentMethod, behaviour);
  }
}

/**
 * The shopper's side of 3-D Secure, which Stripe.js would drive. Success resumes the payment (or, with manual
 * confirmation, hands it back to the server for one more confirm); failure leaves it needing a new method.
 */
export function completeAuthentication(
  state: SandboxState,
  record: PaymentIntentRecord,
  outcome: 'succeed' | 'fail',
): PaymentIntentObject {
  const intent = record.intent;
  if (intent.status !== 'requires_action' || !intent.payment_method) {
    throw invalidState(
      `PaymentIntent ${intent.id} has a status of ${intent.status}; only requires_action can be authenticated.`,
      {
        code: 'payment_intent_unexpected_state',
      },
    );
  }
  const paymentMethod = state.paymentMethods.get(intent.payment_method)!;
  intent.next_action = null;
  if (outcome === 'fail') {
    intent.status = 'requires_payment_method';
    intent.payment_method = null;
    intent.last_payment_error = {
      type: 'invalid_request_error',
      code: 'payment_intent_authentication_failure',
      message:
        'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.',
      doc_url: 'https://stripe.com/docs/error-codes/payment-intent-authentication-failure',
      payment_method: paymentMethod.object,
    };
    return intent;
  }
  record.authenticatedPaymentMethod = paymentMethod.object.id;
  if (intent.confirmation_method === 'manual') {
    intent.status = 'requires_confirmation';
    return intent;
  }
  approve(state, intent, paymentMethod);
  return intent;
}

function approve(state: SandboxState, intent: PaymentIntentObject, paymentMethod: PaymentMethodRecord): void {
  const manual = intent.capture_method === 'manual';
  const charge = createCharge(state, intent, paymentMethod, 'succeeded');
  charge.captured = !manual;
  charge.amount_captured = manual ? 0 : intent.amount;
  intent.latest_charge = charge.id;
  intent.status = manual ? 'requires_capture' : 'succeeded';
  intent.amount_capturable = manual ? intent.amount : 0;
  intent.amount_received = manual ? 0 : intent.amount;
}

function decline(
  state: SandboxState,
  intent: PaymentIntentObject,
  paymentMethod: PaymentMethodRecord,
  behaviour: Extract<CardBehaviour, { kind: 'decline' }>,
) {
  const charge = createCharge(state, intent, paymentMethod, 'failed');
  charge.failure_code = behaviour.code;
  charge.failure_message = behaviour.message;
  const failure = {
    code: behaviour.code,
    decline_code: behaviour.declineCode,
    message: behaviour.message,
    charge: charge.id,
  };
  intent.status = 'requires_payment_method';
  intent.payment_method = null;
  intent.latest_charge = charge.id;
  intent.last_payment_error = {
    type: 'card_error',
    ...failure,
    doc_url: `https://stripe.com/docs/error-codes/${behaviour.code.replace(/_/g, '-')}`,
    payment_method: paymentMethod.object,
  };
  return cardError({ ...failure, payment_intent: intent, payment_method: paymentMethod.object });
}

function createCharge(
  state: SandboxState,
  intent: PaymentIntentObject,
  paymentMethod: PaymentMethodRecord,
  status: ChargeObject['status'],
): ChargeObject {
  const charge: ChargeObject = {
    id: newStripeId('ch'),
    object: 'charge',
    amount: intent.amount,
    amount_captured: 0,
    amount_refunded: 0,
    captured: false,
    created: nowSeconds(),
    currency: intent.currency,
    failure_code: null,
    failure_message: null,
    livemode: false,
    metadata: {},
    paid: status === 'succeeded',
    payment_intent: intent.id,
    payment_method: paymentMethod.object.id,
    refunded: false,
    status,
  };
  state.charges.set(charge.id, charge);
  return charge;
}
