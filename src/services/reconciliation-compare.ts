import type { ProviderPayment, ProviderRefund } from '../payments/payment-gateway';
import type { LedgerMovement, OrderBalance } from '../repositories/reconciliation-repository';

/**
 * The comparison at the heart of reconciliation, on data already loaded: Stripe's payments and refunds against the
 * ledger's movements and the orders' balances. Pure, so every kind of drift has a unit test; it decides nothing
 * and changes nothing.
 */
export type DriftKind =
  | 'payment_missing_in_ledger'
  | 'payment_missing_at_stripe'
  | 'payment_amount_drift'
  | 'payment_status_drift'
  | 'refund_missing_in_ledger'
  | 'refund_missing_at_stripe'
  | 'refund_amount_drift'
  | 'refund_status_drift'
  | 'order_balance_drift';

export const DRIFT_KINDS: readonly DriftKind[] = [
  'payment_missing_in_ledger',
  'payment_missing_at_stripe',
  'payment_amount_drift',
  'payment_status_drift',
  'refund_missing_in_ledger',
  'refund_missing_at_stripe',
  'refund_amount_drift',
  'refund_status_drift',
  'order_balance_drift',
];

export interface Drift {
  kind: DriftKind;
  message: string;
  paymentIntentId?: string;
  refundId?: string;
  checkoutSessionId?: string;
  stripe?: Record<string, unknown>;
  ledger?: Record<string, unknown>;
  orders?: { orderNumber: string; takenCents: number; refundedCents: number }[];
}

const sum = (rows: readonly LedgerMovement[]) => rows.reduce((total, row) => total + row.amountCents, 0);
const succeeded = (rows: readonly LedgerMovement[], type: LedgerMovement['type']) =>
  rows.filter((row) => row.type === type && row.status === 'succeeded');

/** What the ledger says a payment did: money taken, an authorization still held, or nothing. */
function ledgerView(rows: readonly LedgerMovement[]): {
  takenCents: number;
  held: boolean;
  released: boolean;
  any: boolean;
} {
  const charged = succeeded(rows, 'charge');
  const captured = succeeded(rows, 'capture');
  const authorized = succeeded(rows, 'authorization').length > 0;
  const released = succeeded(rows, 'void').length > 0;
  return {
    takenCents: sum(charged) + sum(captured),
    held: authorized && captured.length === 0 && !released,
    released,
    any: charged.length + captured.length > 0 || authorized,
  };
}

/**
 * One Stripe payment against the ledger. `sessionId` is the checkout that recorded or names it; a payment no
 * checkout knows is only ours if its metadata says so (the Stripe account may serve other integrations).
 */
export function comparePayment(
  payment: ProviderPayment,
  rows: readonly LedgerMovement[],
  sessionId: string | undefined,
): Drift | null {
  const ledger = ledgerView(rows);
  const at = {
    paymentIntentId: payment.paymentIntentId,
    checkoutSessionId: sessionId ?? payment.metadata.checkout_session_id,
  };
  const stripe = { status: payment.status, amountCents: payment.amountCents, capturedCents: payment.capturedCents };
  const seen = { takenCents: ledger.takenCents, authorizationHeld: ledger.held };
  const moneyAtStripe = payment.status === 'succeeded' || payment.status === 'requires_capture';
  if (!ledger.any) {
    if (!moneyAtStripe || (!sessionId && !payment.metadata.checkout_session_id)) return null;
    return {
      kind: 'payment_missing_in_ledger',
      message: `Stripe ${payment.status === 'succeeded' ? 'took' : 'holds'} ${payment.amountCents} cents the ledger does not record`,
      ...at,
      stripe,
    };
  }
  if (payment.status === 'succeeded') {
    if (ledger.held || ledger.takenCents === 0) {
      return {
        kind: 'payment_status_drift',
        message: 'Stripe captured the payment; the ledger records no charge or capture',
        ...at,
        stripe,
        ledger: seen,
      };
    }
    if (ledger.takenCents !== payment.capturedCents) {
      return {
        kind: 'payment_amount_drift',
        message: `Stripe captured ${payment.capturedCents} cents; the ledger records ${ledger.takenCents}`,
        ...at,
        stripe,
        ledger: seen,
      };
    }
    return null;
  }
  if (payment.status === 'requires_capture') {
    if (ledger.held) return null;
    return {
      kind: 'payment_status_drift',
      message: 'Stripe still holds the authorization; the ledger records it captured or released',
      ...at,
      stripe,
      ledger: seen,
    };
  }
  if (ledger.takenCents > 0 || ledger.held) {
    return {
      kind: 'payment_status_drift',
      message: `Stripe's payment is ${payment.status}; the ledger records money taken or held`,
      ...at,
      stripe,
      ledger: seen,
    };
  }
  return null;
}

const ledgerStatusOf = (status: ProviderRefund['status']): LedgerMovement['status'] =>
  status === 'succeeded' ? 'succeeded' : status === 'failed' || status === 'canceled' ? 'failed' : 'pending';

/** One Stripe refund against its ledger rows (one for ours, one per order for a refund made outside the service). */
export function compareRefund(refund: ProviderRefund, rows: readonly LedgerMovement[], ours: boolean): Drift | null {
  const at = {
    refundId: refund.refundId,
    paymentIntentId: refund.paymentIntentId ?? undefined,
    checkoutSessionId: rows[0]?.checkoutSessionId,
  };
  const stripe = { status: refund.status, amountCents: refund.amountCents };
  if (rows.length === 0) {
    if (!ours || refund.status === 'failed' || refund.status === 'canceled') return null;
    return {
      kind: 'refund_missing_in_ledger',
      message: `Stripe refunded ${refund.amountCents} cents the ledger does not record`,
      ...at,
      stripe,
    };
  }
  const expected = ledgerStatusOf(refund.status);
  const statuses = [...new Set(rows.map((row) => row.status))];
  const ledger = { statuses, amountCents: sum(rows) };
  if (statuses.some((status) => status !== expected)) {
    return {
      kind: 'refund_status_drift',
      message: `Stripe's refund is ${refund.status}; the ledger records it ${statuses.join(', ')}`,
      ...at,
      stripe,
      ledger,
    };
  }
  if (ledger.amountCents !== refund.amountCents) {
    return {
      kind: 'refund_amount_drift',
      message: `Stripe refunded ${refund.amountCents} cents; the ledger records ${ledger.amountCents}`,
      ...at,
      stripe,
      ledger,
    };
  }
  return null;
}

/**
 * A checkout's orders against its Stripe payment: what they took less what refunds gave back must be what Stripe
 * captured less what it refunded. (Lost disputes are outside both figures: Stripe takes them from the balance, not
 * the charge.)
 */
export function compareOrders(
  payment: ProviderPayment,
  sessionId: string,
  orders: readonly OrderBalance[],
): Drift | null {
  const ledgerNet = orders.reduce((total, order) => total + order.takenCents - order.refundedCents, 0);
  const stripeNet = payment.capturedCents - payment.refundedCents;
  if (ledgerNet === stripeNet) return null;
  return {
    kind: 'order_balance_drift',
    message: `The orders kept ${ledgerNet} cents (taken less refunded); Stripe kept ${stripeNet}`,
    paymentIntentId: payment.paymentIntentId,
    checkoutSessionId: sessionId,
    stripe: { capturedCents: payment.capturedCents, refundedCents: payment.refundedCents },
    ledger: { keptCents: ledgerNet },
    orders: orders.map(({ orderNumber, takenCents, refundedCents }) => ({ orderNumber, takenCents, refundedCents })),
  };
}
