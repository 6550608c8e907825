import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import {
  PaymentGatewayUnavailableError,
  type ChargeRequest,
  type PaymentGateway,
} from '../src/payments/payment-gateway';
import { createStripeGateway, type StripeGatewayOptions } from '../src/payments/stripe-gateway';
import { startStripeSandbox, type StripeSandbox } from '../src/sandbox/stripe';

const SECRET_KEY = 'sk_test_gateway';

let sandbox: StripeSandbox;
let gateway: PaymentGateway;

const gatewayWith = (options: Partial<StripeGatewayOptions> = {}) =>
  createStripeGateway({ secretKey: SECRET_KEY, apiUrl: sandbox.url, timeoutMs: 5_000, ...options });

const chargeRequest = (overrides: Partial<ChargeRequest> = {}): ChargeRequest => ({
  amountCents: 5_000,
  currency: 'usd',
  paymentMethodId: 'pm_card_visa',
  idempotencyKey: randomUUID(),
  captureMethod: 'automatic',
  description: 'Checkout cs_test',
  metadata: { checkoutSessionId: 'cs_test' },
  ...overrides,
});

beforeAll(async () => {
  sandbox = await startStripeSandbox();
  gateway = gatewayWith();
});
afterAll(() => sandbox.stop());
beforeEach(() => sandbox.reset());

describe('charge', () => {
  it('when the card is good, then the payment succeeds and is captured in full', async () => {
    const outcome = await gateway.charge(chargeRequest());

    expect(outcome).toEqual({
      kind: 'succeeded',
      paymentIntentId: expect.stringMatching(/^pi_/),
      amountCents: 5_000,
      capturedCents: 5_000,
    });
    const [intent] = sandbox.paymentIntents();
    expect(intent).toMatchObject({
      status: 'succeeded',
      metadata: { checkoutSessionId: 'cs_test' },
      description: 'Checkout cs_test',
    });
  });

  it.each([
    ['pm_card_chargeDeclined', 'generic_decline'],
    ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds'],
    ['pm_card_chargeDeclinedLostCard', 'lost_card'],
    ['pm_card_chargeDeclinedStolenCard', 'stolen_card'],
    ['pm_card_chargeDeclinedExpiredCard', 'expired_card'],
    ['pm_card_chargeDeclinedIncorrectCvc', 'incorrect_cvc'],
    ['pm_card_chargeDeclinedFraudulent', 'fraudulent'],
  ])(
    'when %s is declined, then the outcome is declined with %s and the intent can be paid again',
    async (paymentMethodId, declineCode) => {
      const outcome = await gateway.charge(chargeRequest({ paymentMethodId }));

      expect(outcome).toEqual({
        kind: 'declined',
        paymentIntentId: expect.stringMatching(/^pi_/),
        declineCode,
        message: expect.any(String),
      });
      const snapshot = await gateway.retrieve((outcome as { paymentIntentId: string }).paymentIntentId);
      expect(snapshot).toMatchObject({ status: 'requires_payment_method', capturedCents: 0 });
    },
  );

  it('when the payment method does not exist, then it is declined as invalid_payment_method and nothing is created', async () => {
    const outcome = await gateway.charge(chargeRequest({ paymentMethodId: 'pm_does_not_exist' }));

    expect(outcome).toEqual({
      kind: 'declined',
      declineCode: 'invalid_payment_method',
      message: "No such PaymentMethod: 'pm_does_not_exist'",
    });
    expect(sandbox.stats().paymentIntentsCreated).toBe(0);
  });

  it('when the card needs 3-D Secure, then the shopper gets a client secret, and after authenticating the payment succeeds', async () => {
    const outcome = await gateway.charge(chargeRequest({ paymentMethodId: 'pm_card_threeDSecure2Required' }));
    expect(outcome).toEqual({
      kind: 'requires_action',
      paymentIntentId: expect.any(String),
      clientSecret: expect.stringContaining('_secret_'),
    });
    const { paymentIntentId } = outcome as { paymentIntentId: string };

    sandbox.authenticate(paymentIntentId);

    expect(await gateway.retrieve(paymentIntentId)).toMatchObject({ status: 'succeeded', capturedCents: 5_000 });
  });

  it('when capture is manual, then the payment is only authorized and a partial capture releases the rest', async () => {
    const outcome = await gateway.charge(chargeRequest({ captureMethod: 'manual' }));
    expect(outcome).toEqual({ kind: 'authorized', paymentIntentId: expect.any(String), amountCents: 5_000 });
    const { paymentIntentId } = outcome as { paymentIntentId: string };

    const captured = await gateway.capture(paymentIntentId, 3_000, randomUUID());

    expect(captured).toMatchObject({ status: 'succeeded', amountCents: 5_000, capturedCents: 3_000 });
    expect(
      await gateway.refund({ paymentIntentId, amountCents: 3_001, idempotencyKey: randomUUID(), metadata: {} }),
    ).toEqual({
      refundId: null,
      amountCents: 3_001,
      status: 'failed',
      failureCode: 'amount_too_large',
    });
  });

  it('when an authorization is canceled, then it cannot be canceled twice', async () => {
    const outcome = await gateway.charge(chargeRequest({ captureMethod: 'manual' }));
    const { paymentIntentId } = outcome as { paymentIntentId: string };

    expect(await gateway.cancel(paymentIntentId, randomUUID())).toMatchObject({ status: 'canceled', capturedCents: 0 });
    await expect(gateway.cancel(paymentIntentId, randomUUID())).rejects.toBeInstanceOf(
      Stripe.errors.StripeInvalidRequestError,
    );
  });
});

describe('idempotency', () => {
  it('when a charge is repeated with the same key, then the same payment comes back and one is created', async () => {
    const request = chargeRequest();

    const first = await gateway.charge(request);
    const second = await gateway.charge(request);

    expect(second).toEqual(first);
    expect(sandbox.stats().paymentIntentsCreated).toBe(1);
  });

  it('when a decline is repeated with the same key, then the same decline comes back', async () => {
    const request = chargeRequest({ paymentMethodId: 'pm_card_chargeDeclined' });

    const first = await gateway.charge(request);
    const second = await gateway.charge(request);

    expect(second).toEqual(first);
    expect(sandbox.stats()).toMatchObject({ paymentIntentsCreated: 1, confirms: 1 });
  });

  it('when a key is reused with a different amount, then Stripe refuses it', async () => {
    const request = chargeRequest();
    await gateway.charge(request);

    await expect(gateway.charge({ ...request, amountCents: 6_000 })).rejects.toBeInstanceOf(
      Stripe.errors.StripeIdempotencyError,
    );
    expect(sandbox.stats().paymentIntentsCreated).toBe(1);
  });

  it('when ten charges race with one key, then one payment is made and all ten see it', async () => {
    sandbox.setLatency(100);
    const request = chargeRequest();

    const outcomes = await Promise.all(Array.from({ length: 10 }, () => gateway.charge(request)));

    expect(new Set(outcomes.map((outcome) => (outcome as { paymentIntentId: string }).paymentIntentId)).size).toBe(1);
    expect(outcomes.every((outcome) => outcome.kind === 'succeeded')).toBe(true);
    expect(sandbox.stats().paymentIntentsCreated).toBe(1);
  });
});

describe('refunds', () => {
  it('when a payment is refunded in two parts, then a third refund is refused', async () => {
    const { paymentIntentId } = (await gateway.charge(chargeRequest())) as { paymentIntentId: string };
    const refund = (amountCents: number) =>
      gateway.refund({
        paymentIntentId,
        amountCents,
        idempotencyKey: randomUUID(),
        reason: 'requested_by_customer',
        metadata: { orderNumber: 'MO-1' },
      });

    expect(await refund(2_000)).toEqual({
      refundId: expect.stringMatching(/^re_/),
      amountCents: 2_000,
      status: 'succeeded',
    });
    expect(await refund(3_000)).toMatchObject({ amountCents: 3_000, status: 'succeeded' });
    expect(await refund(1)).toMatchObject({ refundId: null, status: 'failed', failureCode: 'charge_already_refunded' });
    expect(sandbox.stats().refundsCreated).toBe(2);
  });

  it('when a refund asks for more than was charged, then it is refused as a failed refund, not an outage', async () => {
    const { paymentIntentId } = (await gateway.charge(chargeRequest())) as { paymentIntentId: string };

    expect(
      await gateway.refund({ paymentIntentId, amountCents: 5_001, idempotencyKey: randomUUID(), metadata: {} }),
    ).toMatchObject({
      refundId: null,
      status: 'failed',
      failureCode: 'amount_too_large',
    });
    expect(sandbox.stats().refundsCreated).toBe(0);
  });

  it('when a refund is still pending, then retrieving it shows how it ends, where its key only replays pending', async () => {
    const { paymentIntentId } = (await gateway.charge(chargeRequest())) as { paymentIntentId: string };
    const request = { paymentIntentId, amountCents: 2_000, idempotencyKey: randomUUID(), metadata: {} };
    sandbox.holdRefunds();
    const created = await gateway.refund(request);
    expect(created).toEqual({ refundId: expect.stringMatching(/^re_/), amountCents: 2_000, status: 'pending' });

    sandbox.settleHeldRefunds('failed');

    expect(await gateway.refund(request)).toMatchObject({ refundId: created.refundId, status: 'pending' });
    expect(await gateway.retrieveRefund(created.refundId!)).toEqual({
      refundId: created.refundId,
      amountCents: 2_000,
      status: 'failed',
      failureCode: 'expired_or_canceled_card',
    });
    expect(sandbox.stats().refundsCreated).toBe(1);
  });

  it('when a refund is looked up by its idempotency key, then the one made with that key is found, and no other', async () => {
    const { paymentIntentId } = (await gateway.charge(chargeRequest())) as { paymentIntentId: string };
    const key = randomUUID();
    await gateway.refund({
      paymentIntentId,
      amountCents: 1_000,
      idempotencyKey: randomUUID(),
      metadata: { order_id: 'o-1' },
    });
    const made = await gateway.refund({
      paymentIntentId,
      amountCents: 1_500,
      idempotencyKey: key,
      metadata: { order_id: 'o-2' },
    });

    expect(await gateway.findRefundByKey(paymentIntentId, key)).toEqual(made);
    expect(await gateway.findRefundByKey(paymentIntentId, randomUUID())).toBeNull();
  });

  it('when a refund request is invalid for another reason than the refund, then it is thrown, not recorded as refused', async () => {
    await expect(
      gateway.refund({ paymentIntentId: 'pi_unknown', amountCents: 100, idempotencyKey: randomUUID(), metadata: {} }),
    ).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });
});

describe('when Stripe fails', () => {
  it('when the charge commits but the answer is lost, then the SDK retry with the same key gets it and one payment exists', async () => {
    sandbox.injectFaults({ count: 1, status: 500, afterCommit: true });

    const outcome = await gateway.charge(chargeRequest());

    expect(outcome.kind).toBe('succeeded');
    expect(sandbox.stats()).toMatchObject({ paymentIntentsCreated: 1, requests: 2 });
  });

  it('when the lost answer is not retried by the SDK, then the caller retrying with the same key gets the same payment', async () => {
    const noRetries = gatewayWith({ maxNetworkRetries: 0 });
    sandbox.injectFaults({ count: 1, status: 500, afterCommit: true });
    const request = chargeRequest();

    await expect(noRetries.charge(request)).rejects.toBeInstanceOf(PaymentGatewayUnavailableError);
    const outcome = await noRetries.charge(request);

    expect(outcome).toMatchObject({ kind: 'succeeded', paymentIntentId: sandbox.paymentIntents()[0].id });
    expect(sandbox.stats().paymentIntentsCreated).toBe(1);
  });

  it('when the SDK retry also loses its (replayed) answer, then the caller retrying later still gets the one payment', async () => {
    const oneRetry = gatewayWith({ maxNetworkRetries: 1 });
    sandbox.injectFaults({ count: 2, status: 500, afterCommit: true, path: '/v1/payment_intents' });
    const request = chargeRequest();

    await expect(oneRetry.charge(request)).rejects.toBeInstanceOf(PaymentGatewayUnavailableError);
    expect(sandbox.stats()).toMatchObject({ paymentIntentsCreated: 1, requests: 2 });
    const outcome = await oneRetry.charge(request);

    expect(outcome).toMatchObject({ kind: 'succeeded', paymentIntentId: sandbox.paymentIntents()[0].id });
    expect(sandbox.stats().paymentIntentsCreated).toBe(1);
  });

  it('when Stripe answers 503 until the retries run out, then the gateway is unavailable and nothing was charged', async () => {
    sandbox.injectFaults({ count: 3, status: 503 });

    await expect(gateway.charge(chargeRequest())).rejects.toBeInstanceOf(PaymentGatewayUnavailableError);
    expect(sandbox.stats()).toMatchObject({ paymentIntentsCreated: 0, requests: 3 });
  });

  it('when Stripe rate-limits, then the gateway is unavailable', async () => {
    sandbox.injectFaults({ count: 1, status: 429 });

    await expect(
      gateway.refund({ paymentIntentId: 'pi_x', amountCents: 1, idempotencyKey: randomUUID(), metadata: {} }),
    ).rejects.toBeInstanceOf(PaymentGatewayUnavailableError);
  });

  it('when Stripe never answers, then the gateway times out as unavailable', async () => {
    sandbox.injectFaults({ count: 1, kind: 'hang' });
    const impatient = gatewayWith({ timeoutMs: 200, maxNetworkRetries: 0 });

    const error = await impatient.charge(chargeRequest()).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(PaymentGatewayUnavailableError);
    expect((error as PaymentGatewayUnavailableError).cause).toBeInstanceOf(Stripe.errors.StripeConnectionError);
  });

  it('when the API key is wrong, then that is a bug to surface, not an outage', async () => {
    const misconfigured = createStripeGateway({ secretKey: 'sk_live_wrong', apiUrl: sandbox.url });

    await expect(misconfigured.charge(chargeRequest())).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
  });
});
