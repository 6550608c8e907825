import { newStripeId, nowSeconds, type PaymentMethodRecord, type SandboxState } from './sandbox-state';
import { invalidParam, resourceMissing } from './stripe-error';
import { TEST_PAYMENT_METHODS } from './test-payment-methods';
import type { PaymentMethodObject } from './types';

/**
 * Resolves the `payment_method` parameter. A test alias (`pm_card_visa`) creates a new PaymentMethod, as Stripe
 * does; an id the sandbox created earlier is reused; anything else is Stripe's 400 resource_missing.
 */
export function resolvePaymentMethod(state: SandboxState, id: string, param = 'payment_method'): PaymentMethodRecord {
  const existing = state.paymentMethods.get(id);
  if (existing) return existing;
  const test = TEST_PAYMENT_METHODS[id];
  if (!test) {
    throw invalidParam(`No such PaymentMethod: '${id}'`, { code: 'resource_missing', param });
  }
  const expiry = new Date();
  const object: PaymentMethodObject = {
    id: newStripeId('pm'),
    object: 'payment_method',
    type: 'card',
    card: { ...test.card, exp_month: expiry.getUTCMonth() + 1, exp_year: expiry.getUTCFullYear() + 3 },
    created: nowSeconds(),
    customer: null,
    livemode: false,
    metadata: {},
  };
  const record = { object, behaviour: test.behaviour };
  state.paymentMethods.set(object.id, record);
  return record;
}

export function retrievePaymentMethod(state: SandboxState, id: string): PaymentMethodObject {
  const record = state.paymentMethods.get(id);
  if (!record) throw resourceMissing('payment_method', id);
  return record.object;
}
