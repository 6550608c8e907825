import { retrieveCharge } from './charges';
import type { FormObject } from './form-body';
import {
  cancelPaymentIntent,
  capturePaymentIntent,
  confirmPaymentIntentById,
  createPaymentIntent,
  retrievePaymentIntent,
} from './payment-intents';
import { retrievePaymentMethod } from './payment-methods';
import { createRefund, retrieveRefund } from './refunds';
import { retrieveDispute } from './disputes';
import { listDisputes, listPaymentIntents, listRefunds } from './lists';
import type { SandboxState } from './sandbox-state';
import { StripeApiError } from './stripe-error';

/** The Stripe v1 URLs the sandbox serves, each wired to one operation. */
type Operation = (state: SandboxState, id: string, params: FormObject) => unknown;

interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  operation: Operation;
}

const ID = '([A-Za-z0-9_]+)';

const ROUTES: readonly Route[] = [
  {
    method: 'POST',
    pattern: /^\/v1\/payment_intents$/,
    operation: (state, _id, params) => createPaymentIntent(state, params),
  },
  {
    method: 'GET',
    pattern: /^\/v1\/payment_intents$/,
    operation: (state, _id, params) => listPaymentIntents(state, params),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/v1/payment_intents/${ID}$`),
    operation: (state, id) => retrievePaymentIntent(state, id),
  },
  { method: 'POST', pattern: new RegExp(`^/v1/payment_intents/${ID}/confirm$`), operation: confirmPaymentIntentById },
  { method: 'POST', pattern: new RegExp(`^/v1/payment_intents/${ID}/capture$`), operation: capturePaymentIntent },
  { method: 'POST', pattern: new RegExp(`^/v1/payment_intents/${ID}/cancel$`), operation: cancelPaymentIntent },
  { method: 'POST', pattern: /^\/v1\/refunds$/, operation: (state, _id, params) => createRefund(state, params) },
  { method: 'GET', pattern: /^\/v1\/refunds$/, operation: (state, _id, params) => listRefunds(state, params) },
  { method: 'GET', pattern: new RegExp(`^/v1/refunds/${ID}$`), operation: (state, id) => retrieveRefund(state, id) },
  { method: 'GET', pattern: /^\/v1\/disputes$/, operation: (state, _id, params) => listDisputes(state, params) },
  { method: 'GET', pattern: new RegExp(`^/v1/disputes/${ID}$`), operation: (state, id) => retrieveDispute(state, id) },
  { method: 'GET', pattern: new RegExp(`^/v1/charges/${ID}$`), operation: (state, id) => retrieveCharge(state, id) },
  {
    method: 'GET',
    pattern: new RegExp(`^/v1/payment_methods/${ID}$`),
    operation: (state, id) => retrievePaymentMethod(state, id),
  },
];

export interface MatchedRoute {
  run(state: SandboxState, params: FormObject): unknown;
}

export function matchRoute(method: string, path: string): MatchedRoute {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match) return { run: (state, params) => route.operation(state, match[1], params) };
  }
  throw new StripeApiError(
    404,
    {
      type: 'invalid_request_error',
      message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
    },
    false,
  );
}
