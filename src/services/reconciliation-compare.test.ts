import type { ProviderPayment, ProviderRefund } from '../payments/payment-gateway';
import type { LedgerMovement } from '../repositories/reconciliation-repository';
import { compareOrders, comparePayment, compareRefund } from './reconciliation-compare';

const payment = (extra: Partial<ProviderPayment> = {}): ProviderPayment => ({
  paymentIntentId: 'pi_1',
  status: 'succeeded',
  amountCents: 5_000,
  currency: 'usd',
  capturedCents: 5_000,
  refundedCents: 0,
  createdAt: new Date(),
  metadata: {},
  ...extra,
});
const row = (extra: Partial<LedgerMovement>): LedgerMovement => ({
  checkoutSessionId: 'cs_1',
  orderId: null,
  type: 'charge',
  status: 'succeeded',
  amountCents: 5_000,
  stripePaymentIntentId: 'pi_1',
  stripeRefundId: null,
  idempotencyKey: 'k',
  createdAt: new Date(),
  ...extra,
});
const refund = (extra: Partial<ProviderRefund> = {}): ProviderRefund => ({
  refundId: 're_1',
  paymentIntentId: 'pi_1',
  amountCents: 700,
  currency: 'usd',
  status: 'succeeded',
  createdAt: new Date(),
  idempotencyKey: null,
  reason: null,
  ...extra,
});

describe('comparePayment', () => {
  it('finds nothing when the ledger took what Stripe captured', () => {
    expect(comparePayment(payment(), [row({})], 'cs_1')).toBeNull();
    expect(
      comparePayment(
        payment({ capturedCents: 4_000 }),
        [row({ type: 'authorization' }), row({ type: 'capture', amountCents: 4_000 })],
        'cs_1',
      ),
    ).toBeNull();
    expect(
      comparePayment(
        payment({ status: 'requires_capture', capturedCents: 0 }),
        [row({ type: 'authorization' })],
        'cs_1',
      ),
    ).toBeNull();
    expect(
      comparePayment(
        payment({ status: 'canceled', capturedCents: 0 }),
        [row({ type: 'authorization' }), row({ type: 'void' })],
        'cs_1',
      ),
    ).toBeNull();
  });

  it('names a payment the ledger lacks, only when it is ours', () => {
    expect(comparePayment(payment(), [], 'cs_1')).toMatchObject({ kind: 'payment_missing_in_ledger' });
    expect(comparePayment(payment({ metadata: { checkout_session_id: 'cs_2' } }), [], undefined)).toMatchObject({
      kind: 'payment_missing_in_ledger',
      checkoutSessionId: 'cs_2',
    });
    expect(comparePayment(payment(), [], undefined)).toBeNull();
    expect(comparePayment(payment({ status: 'requires_action', capturedCents: 0 }), [], 'cs_1')).toBeNull();
  });

  it('names amount and status drift', () => {
    expect(comparePayment(payment(), [row({ amountCents: 4_999 })], 'cs_1')).toMatchObject({
      kind: 'payment_amount_drift',
    });
    expect(comparePayment(payment(), [row({ type: 'authorization' })], 'cs_1')).toMatchObject({
      kind: 'payment_status_drift',
    });
    expect(comparePayment(payment({ status: 'canceled', capturedCents: 0 }), [row({})], 'cs_1')).toMatchObject({
      kind: 'payment_status_drift',
    });
    expect(
      comparePayment(
        payment({ status: 'requires_capture' }),
        [row({ type: 'authorization' }), row({ type: 'capture' })],
        'cs_1',
      ),
    ).toMatchObject({ kind: 'payment_status_drift' });
  });
});

describe('compareRefund', () => {
  it('matches one row of ours, or the per-order rows of one made outside', () => {
    expect(compareRefund(refund(), [row({ type: 'refund', amountCents: 700 })], true)).toBeNull();
    expect(
      compareRefund(
        refund(),
        [row({ type: 'partial_refund', amountCents: 300 }), row({ type: 'partial_refund', amountCents: 400 })],
        true,
      ),
    ).toBeNull();
    expect(
      compareRefund(
        refund({ status: 'pending' }),
        [row({ type: 'refund', amountCents: 700, status: 'pending' })],
        true,
      ),
    ).toBeNull();
  });

  it('names missing rows, status and amount drift', () => {
    expect(compareRefund(refund(), [], true)).toMatchObject({ kind: 'refund_missing_in_ledger' });
    expect(compareRefund(refund(), [], false)).toBeNull();
    expect(compareRefund(refund({ status: 'failed' }), [], true)).toBeNull();
    expect(compareRefund(refund(), [row({ type: 'refund', amountCents: 700, status: 'pending' })], true)).toMatchObject(
      { kind: 'refund_status_drift' },
    );
    expect(compareRefund(refund(), [row({ type: 'refund', amountCents: 600 })], true)).toMatchObject({
      kind: 'refund_amount_drift',
    });
  });
});

describe('compareOrders', () => {
  it('compares what the orders kept with what Stripe kept', () => {
    const orders = [
      { checkoutSessionId: 'cs_1', orderNumber: 'MO-A', takenCents: 3_000, refundedCents: 700 },
      { checkoutSessionId: 'cs_1', orderNumber: 'MO-B', takenCents: 2_000, refundedCents: 0 },
    ];
    expect(compareOrders(payment({ refundedCents: 700 }), 'cs_1', orders)).toBeNull();
    expect(compareOrders(payment({ refundedCents: 1_200 }), 'cs_1', orders)).toMatchObject({
      kind: 'order_balance_drift',
      ledger: { keptCents: 4_300 },
      stripe: { capturedCents: 5_000, refundedCents: 1_200 },
      orders: [expect.objectContaining({ orderNumber: 'MO-A' }), expect.objectContaining({ orderNumber: 'MO-B' })],
    });
  });
});
