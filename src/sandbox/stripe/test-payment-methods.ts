import type { CardDetails } from './types';

/**
 * Stripe's test PaymentMethods (https://docs.stripe.com/testing) and what each does when a payment is
 * confirmed with it. As in Stripe, these ids are shortcuts: using one creates a fresh `pm_…` PaymentMethod
 * with the same card, and that new id is what the PaymentIntent reports.
 */
export type CardBehaviour =
  | { kind: 'approve' }
  | { kind: 'decline'; code: string; declineCode: string; message: string }
  /** The issuer demands 3-D Secure: confirmation stops at requires_action until the shopper authenticates. */
  | { kind: 'authenticate' };

export interface TestCard {
  card: Omit<CardDetails, 'exp_month' | 'exp_year'>;
  behaviour: CardBehaviour;
}

const approve: CardBehaviour = { kind: 'approve' };
const declined = (declineCode: string, message = 'Your card was declined.', code = 'card_declined'): CardBehaviour => ({
  kind: 'decline',
  code,
  declineCode,
  message,
});
const visa = (last4: string, funding: CardDetails['funding'] = 'credit') => ({
  brand: 'visa',
  last4,
  funding,
  country: 'US',
});

export const TEST_PAYMENT_METHODS: Readonly<Record<string, TestCard>> = {
  pm_card_visa: { card: visa('4242'), behaviour: approve },
  pm_card_visa_debit: { card: visa('5556', 'debit'), behaviour: approve },
  pm_card_mastercard: {
    card: { brand: 'mastercard', last4: '4444', funding: 'credit', country: 'US' },
    behaviour: approve,
  },
  pm_card_mastercard_debit: {
    card: { brand: 'mastercard', last4: '8210', funding: 'debit', country: 'US' },
    behaviour: approve,
  },
  pm_card_mastercard_prepaid: {
    card: { brand: 'mastercard', last4: '5100', funding: 'prepaid', country: 'US' },
    behaviour: approve,
  },
  pm_card_amex: { card: { brand: 'amex', last4: '8431', funding: 'credit', country: 'US' }, behaviour: approve },
  pm_card_discover: {
    card: { brand: 'discover', last4: '1117', funding: 'credit', country: 'US' },
    behaviour: approve,
  },
  pm_card_us: { card: visa('4242'), behaviour: approve },
  pm_card_chargeDeclined: { card: visa('0002'), behaviour: declined('generic_decline') },
  pm_card_chargeDeclinedInsufficientFunds: {
    card: visa('9995'),
    behaviour: declined('insufficient_funds', 'Your card has insufficient funds.'),
  },
  pm_card_chargeDeclinedLostCard: { card: visa('9987'), behaviour: declined('lost_card') },
  pm_card_chargeDeclinedStolenCard: { card: visa('9979'), behaviour: declined('stolen_card') },
  pm_card_chargeDeclinedExpiredCard: {
    card: visa('0069'),
    behaviour: declined('expired_card', 'Your card has expired.', 'expired_card'),
  },
  pm_card_chargeDeclinedIncorrectCvc: {
    card: visa('0127'),
    behaviour: declined('incorrect_cvc', "Your card's security code is incorrect.", 'incorrect_cvc'),
  },
  pm_card_chargeDeclinedProcessingError: {
    card: visa('0119'),
    behaviour: declined(
      'processing_error',
      'An error occurred while processing your card. Try again in a little bit.',
      'processing_error',
    ),
  },
  pm_card_chargeDeclinedFraudulent: { card: visa('0019'), behaviour: declined('fraudulent') },
  pm_card_authenticationRequired: { card: visa('3184'), behaviour: { kind: 'authenticate' } },
  pm_card_threeDSecure2Required: { card: visa('3220'), behaviour: { kind: 'authenticate' } },
};

/** What an issuer answers when authentication is required but the shopper is not there to give it. */
export const AUTHENTICATION_REQUIRED_DECLINE: CardBehaviour = declined(
  'authentication_required',
  'Your card was declined. This transaction requires authentication.',
  'authentication_required',
);
