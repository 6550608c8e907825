import type { FormObject } from './form-body';
import { expansions, LIST_PARAMS, pageList, type ListPage } from './list-pages';
import * as p from './params';
import type { SandboxState } from './sandbox-state';
import { invalidParam } from './stripe-error';
import type { ChargeObject, DisputeObject, PaymentIntentObject, RefundObject } from './types';

/** The list endpoints: GET /v1/payment_intents, /v1/refunds, /v1/disputes, paged as Stripe pages them. */

const INTENT_LIST_PARAMS = new Set([...LIST_PARAMS, 'customer']);
const REFUND_LIST_PARAMS = new Set([...LIST_PARAMS, 'payment_intent', 'charge']);
const DISPUTE_LIST_PARAMS = new Set([...LIST_PARAMS, 'payment_intent', 'charge']);

export type ExpandedPaymentIntent = Omit<PaymentIntentObject, 'latest_charge'> & {
  latest_charge: string | ChargeObject | null;
};

/** PaymentIntents, newest first; `expand[]=data.latest_charge` inlines each one's charge, as Stripe does. */
export function listPaymentIntents(state: SandboxState, params: FormObject): ListPage<ExpandedPaymentIntent> {
  p.assertKnownParams(params, INTENT_LIST_PARAMS);
  const expand = checkExpand(params, ['data.latest_charge']);
  const customer = p.optionalString(params, 'customer');
  const intents = [...state.paymentIntents.values()]
    .map((record) => record.intent)
    .filter((intent) => !customer || intent.customer === customer);
  const page = pageList<ExpandedPaymentIntent>('/v1/payment_intents', intents, params, 'payment_intent');
  if (!expand.has('data.latest_charge')) return page;
  return {
    ...page,
    data: page.data.map((intent) => ({
      ...intent,
      latest_charge:
        typeof intent.latest_charge === 'string'
          ? (state.charges.get(intent.latest_charge) ?? intent.latest_charge)
          : intent.latest_charge,
    })),
  };
}

/** Refunds, newest first, optionally of one PaymentIntent or charge. */
export function listRefunds(state: SandboxState, params: FormObject): ListPage<RefundObject> {
  p.assertKnownParams(params, REFUND_LIST_PARAMS);
  checkExpand(params, []);
  const intentId = p.optionalString(params, 'payment_intent');
  const chargeId = p.optionalString(params, 'charge');
  const refunds = [...state.refunds.values()].filter(
    (refund) => (!intentId || refund.payment_intent === intentId) && (!chargeId || refund.charge === chargeId),
  );
  return pageList('/v1/refunds', refunds, params, 'refund');
}

/** Disputes, newest first, optionally of one PaymentIntent or charge. */
export function listDisputes(state: SandboxState, params: FormObject): ListPage<DisputeObject> {
  p.assertKnownParams(params, DISPUTE_LIST_PARAMS);
  checkExpand(params, []);
  const intentId = p.optionalString(params, 'payment_intent');
  const chargeId = p.optionalString(params, 'charge');
  const disputes = [...state.disputes.values()].filter(
    (dispute) => (!intentId || dispute.payment_intent === intentId) && (!chargeId || dispute.charge === chargeId),
  );
  return pageList('/v1/disputes', disputes, params, 'dispute');
}

function checkExpand(params: FormObject, supported: readonly string[]): Set<string> {
  const expand = expansions(params);
  for (const path of expand) {
    if (!supported.includes(path))
      throw invalidParam(`This property cannot be expanded (${path}).`, { param: 'expand' });
  }
  return expand;
}
