import { confirmPaymentIntent, type ConfirmOptions } from './confirm-payment';
import type { FormObject } from './form-body';
import * as p from './params';
import { resolvePaymentMethod } from './payment-methods';
import { newStripeId, nowSeconds, type PaymentIntentRecord, type SandboxState } from './sandbox-state';
import { formatAmount, invalidParam, invalidState, resourceMissing } from './stripe-error';
import type { PaymentIntentObject, PaymentIntentStatus } from './types';

/** The PaymentIntents resource: https://docs.stripe.com/api/payment_intents */

const CREATE_PARAMS = new Set([
  'amount',
  'currency',
  'payment_method',
  'confirm',
  'capture_method',
  'confirmation_method',
  'metadata',
  'description',
  'payment_method_types',
  'allowed_payment_method_types',
  'excluded_payment_method_types',
  'automatic_payment_methods',
  'customer',
  'receipt_email',
  'statement_descriptor',
  'statement_descriptor_suffix',
  'return_url',
  'off_session',
  'error_on_requires_action',
  'setup_future_usage',
  'payment_method_options',
  'shipping',
  'transfer_group',
  'use_stripe_sdk',
  'expand',
]);
const CONFIRM_PARAMS = new Set([
  'payment_method',
  'return_url',
  'off_session',
  'error_on_requires_action',
  'capture_method',
  'receipt_email',
  'setup_future_usage',
  'payment_method_options',
  'shipping',
  'use_stripe_sdk',
  'mandate_data',
  'expand',
]);
const CAPTURE_PARAMS = new Set([
  'amount_to_capture',
  'metadata',
  'final_capture',
  'statement_descriptor',
  'statement_descriptor_suffix',
  'expand',
]);
const CANCEL_PARAMS = new Set(['cancellation_reason', 'expand']);

const CAPTURE_METHODS = ['automatic', 'automatic_async', 'manual'] as const;
const CANCELLATION_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'] as const;
const CANCELABLE: readonly PaymentIntentStatus[] = [
  'requires_payment_method',
  'requires_capture',
  'requires_confirmation',
  'requires_action',
  'processing',
];
/** Stripe's minimum charge amounts for common two-decimal currencies (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts). */
const MINIMUM_AMOUNT: Record<string, number> = { usd: 50, eur: 50, cad: 50, aud: 50, chf: 50, gbp: 30 };
const MAXIMUM_AMOUNT = 99_999_999;

export function createPaymentIntent(state: SandboxState, params: FormObject): PaymentIntentObject {
  p.assertKnownParams(params, CREATE_PARAMS);
  const amount = p.requiredInteger(params, 'amount');
  const currency = readCurrency(params);
  checkAmount(amount, currency);
  const confirmationMethod = p.optionalEnum(params, 'confirmation_method', ['automatic', 'manual'] as const);
  const methods = readPaymentMethodTypes(params, confirmationMethod !== undefined);
  const confirm = p.optionalBoolean(params, 'confirm') ?? false;
  const confirmOptions = readConfirmOptions(state, params);
  const metadata = p.mergeMetadata({}, p.optionalMetadata(params));
  const captureMethod = p.optionalEnum(params, 'capture_method', CAPTURE_METHODS) ?? 'automatic_async';
  if (confirm && methods.automatic?.allow_redirects === 'always' && !p.optionalString(params, 'return_url')) {
    throw invalidParam(
      "This PaymentIntent is configured to accept payment methods enabled in your Dashboard. Because some of these payment methods might redirect your customer off of your page, you must provide a `return_url`. If you don't want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents.",
    );
  }

  const id = newStripeId('pi');
  const intent: PaymentIntentObject = {
    id,
    object: 'payment_intent',
    amount,
    amount_capturable: 0,
    amount_received: 0,
    allowed_payment_method_types: methods.allowed,
    automatic_payment_methods: methods.automatic,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: captureMethod,
    client_secret: `${id}_secret_${newStripeId('x').slice(2)}`,
    confirmation_method: confirmationMethod ?? 'automatic',
    created: nowSeconds(),
    currency,
    customer: p.optionalString(params, 'customer') ?? null,
    description: p.optionalString(params, 'description') ?? null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata,
    next_action: null,
    payment_method: confirmOptions.paymentMethod?.object.id ?? null,
    payment_method_types: methods.types,
    receipt_email: p.optionalString(params, 'receipt_email') ?? null,
    statement_descriptor: p.optionalString(params, 'statement_descriptor') ?? null,
    status: confirmOptions.paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
  };
  const record: PaymentIntentRecord = { intent };
  state.paymentIntents.set(id, record);
  state.stats.paymentIntentsCreated += 1;
  return confirm ? confirmPaymentIntent(state, record, confirmOptions) : intent;
}

export function retrievePaymentIntent(state: SandboxState, id: string): PaymentIntentObject {
  return findRecord(state, id).intent;
}

export function confirmPaymentIntentById(state: SandboxState, id: string, params: FormObject): PaymentIntentObject {
  const record = findRecord(state, id);
  p.assertKnownParams(params, CONFIRM_PARAMS);
  const options = readConfirmOptions(state, params);
  const captureMethod = p.optionalEnum(params, 'capture_method', CAPTURE_METHODS);
  if (captureMethod) record.intent.capture_method = captureMethod;
  return confirmPaymentIntent(state, record, options);
}

/** Captures all or part of an authorization; as in Stripe, a partial capture releases the remainder. */
export function capturePaymentIntent(state: SandboxState, id: string, params: FormObject): PaymentIntentObject {
  const { intent } = findRecord(state, id);
  p.assertKnownParams(params, CAPTURE_PARAMS);
  const requested = p.optionalInteger(params, 'amount_to_capture');
  const metadata = p.optionalMetadata(params);
  if (intent.status !== 'requires_capture') {
    throw invalidState(
      `This PaymentIntent could not be captured because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
      { code: 'payment_intent_unexpected_state', payment_intent: intent },
    );
  }
  const amount = requested ?? intent.amount_capturable;
  if (amount <= 0)
    throw invalidParam('Invalid positive integer', { code: 'parameter_invalid_integer', param: 'amount_to_capture' });
  if (amount > intent.amount_capturable) {
    throw invalidState(
      `The amount to capture (${formatAmount(amount, intent.currency)}) is greater than the amount capturable (${formatAmount(intent.amount_capturable, intent.currency)}).`,
      { code: 'amount_too_large', param: 'amount_to_capture' },
    );
  }
  const charge = state.charges.get(intent.latest_charge!)!;
  charge.captured = true;
  charge.amount_captured = amount;
  charge.amount_refunded = charge.amount - amount;
  intent.status = 'succeeded';
  intent.amount_received = amount;
  intent.amount_capturable = 0;
  intent.metadata = p.mergeMetadata(intent.metadata, metadata);
  state.stats.captures += 1;
  return intent;
}

/** Cancels an unfinished payment; an authorization is released in full. */
export function cancelPaymentIntent(state: SandboxState, id: string, params: FormObject): PaymentIntentObject {
  const { intent } = findRecord(state, id);
  p.assertKnownParams(params, CANCEL_PARAMS);
  const reason = p.optionalEnum(params, 'cancellation_reason', CANCELLATION_REASONS);
  if (!CANCELABLE.includes(intent.status)) {
    throw invalidState(
      `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
      { code: 'payment_intent_unexpected_state', payment_intent: intent },
    );
  }
  if (intent.status === 'requires_capture') {
    const charge = state.charges.get(intent.latest_charge!)!;
    charge.amount_refunded = charge.amount;
    charge.refunded = true;
  }
  intent.status = 'canceled';
  intent.canceled_at = nowSeconds();
  intent.cancellation_reason = reason ?? null;
  intent.amount_capturable = 0;
  intent.next_action = null;
  state.stats.cancels += 1;
  return intent;
}

export function findRecord(state: SandboxState, id: string): PaymentIntentRecord {
  const record = state.paymentIntents.get(id);
  if (!record) throw resourceMissing('payment_intent', id, 'intent');
  return record;
}

function readConfirmOptions(state: SandboxState, params: FormObject): ConfirmOptions {
  const paymentMethodId = p.optionalString(params, 'payment_method');
  return {
    paymentMethod: paymentMethodId ? resolvePaymentMethod(state, paymentMethodId) : undefined,
    offSession: p.optionalBoolean(params, 'off_session'),
    errorOnRequiresAction: p.optionalBoolean(params, 'error_on_requires_action'),
  };
}

/** The payment methods the sandbox can take: cards (the test PaymentMethods are all cards). */
const SUPPORTED_TYPES = ['card'];

/**
 * Which payment method types the intent offers. `payment_method_types` (older API versions) must name supported
 * types; `allowed_payment_method_types` silently narrows to the compatible ones; naming neither means Stripe's
 * dynamic payment methods (`automatic_payment_methods`), which may redirect and so need a return_url to confirm.
 * (Stripe does not default to them when the legacy `confirmation_method` is given.)
 */
function readPaymentMethodTypes(params: FormObject, confirmationMethodGiven: boolean) {
  const explicit = p.optionalStringArray(params, 'payment_method_types');
  const allowed = p.optionalStringArray(params, 'allowed_payment_method_types');
  const automatic = p.optionalHash(params, 'automatic_payment_methods');
  const exclusive = [
    explicit && 'payment_method_types',
    allowed && 'allowed_payment_method_types',
    automatic && 'automatic_payment_methods',
  ].filter(Boolean);
  if (automatic && confirmationMethodGiven) exclusive.push('confirmation_method');
  if (exclusive.length > 1) {
    throw invalidParam(`You may only specify one of these parameters: ${exclusive.join(', ')}.`, {
      code: 'parameters_exclusive',
    });
  }
  for (const type of explicit ?? []) {
    if (!SUPPORTED_TYPES.includes(type))
      throw invalidParam(`The payment method type "${type}" is invalid.`, { param: 'payment_method_types' });
  }
  const compatible = allowed?.filter((type) => SUPPORTED_TYPES.includes(type));
  if (compatible?.length === 0) {
    throw invalidParam('None of the allowed_payment_method_types can be used with this PaymentIntent.', {
      param: 'allowed_payment_method_types',
    });
  }
  const dynamic = !explicit && !allowed && !confirmationMethodGiven;
  const allowRedirects = automatic
    ? p.optionalEnum(automatic, 'allow_redirects', ['always', 'never'] as const)
    : undefined;
  return {
    types: explicit ?? compatible ?? SUPPORTED_TYPES,
    allowed: allowed ?? null,
    automatic: dynamic ? { enabled: true, allow_redirects: allowRedirects ?? ('always' as const) } : null,
  };
}

/** The presentment currencies Stripe takes (https://docs.stripe.com/currencies); Stripe lists them when refusing one. */
const SUPPORTED_CURRENCIES = (
  'usd aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bif bmd bnd bob brl bsd bwp byn bzd cad cdf chf clp cny ' +
  'cop crc cve czk djf dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd gnf gtq gyd hkd hnl htg huf idr ils inr isk jmd ' +
  'jpy kes kgs khr kmf krw kyd kzt lak lbp lkr lrd lsl mad mdl mga mkd mmk mnt mop mur mvr mwk mxn myr mzn nad ngn nio ' +
  'nok npr nzd pab pen pgk php pkr pln pyg qar ron rsd rub rwf sar sbd scr sek sgd shp sle sos srd std szl thb tjs top ' +
  'try ttd twd tzs uah ugx uyu uzs vnd vuv wst xaf xcd xof xpf yer zar zmw'
).split(' ');

function readCurrency(params: FormObject): string {
  const currency = p.requiredString(params, 'currency').toLowerCase();
  if (!SUPPORTED_CURRENCIES.includes(currency)) {
    // Stripe's own wording; the error names the param and carries no code.
    throw invalidParam(
      `Invalid currency: ${currency}. Stripe currently supports these currencies: ${SUPPORTED_CURRENCIES.join(', ')}`,
      {
        param: 'currency',
      },
    );
  }
  return currency;
}

function checkAmount(amount: number, currency: string): void {
  const minimum = MINIMUM_AMOUNT[currency] ?? 1;
  if (amount < minimum) {
    const unit = currency === 'usd' ? ' usd' : '';
    throw invalidParam(`Amount must be at least ${formatAmount(minimum, currency)}${unit}`, {
      code: 'amount_too_small',
      param: 'amount',
    });
  }
  if (amount > MAXIMUM_AMOUNT) {
    throw invalidParam(`Amount must be no more than ${formatAmount(MAXIMUM_AMOUNT, currency)}`, {
      code: 'amount_too_large',
      param: 'amount',
    });
  }
}
