import type { PaymentGateway } from '../src/payments/payment-gateway';
import { createStripeGateway } from '../src/payments/stripe-gateway';
import { ADDRESS, startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { bearer } from './support/tokens';

/**
 * 3-D Secure leaves a PaymentIntent on the session that the shopper may complete on their device at any time
 * after the 402. Whatever they do next (another card, cancel, walk away), the checkout takes their money once.
 */

const THREE_DS_CARD = 'pm_card_authenticationRequired';
const MINUTE = 60_000;

function client(h: CheckoutHarness) {
  const session = (sessionId: string) => `/api/v1/checkout/sessions/${sessionId}`;
  return {
    place: (userId: string, sessionId: string, key: string) =>
      h.http
        .post(`${session(sessionId)}/place`)
        .set(bearer(userId))
        .set('Idempotency-Key', key),
    setCard: (userId: string, sessionId: string, paymentMethodId: string) =>
      h.http
        .put(`${session(sessionId)}/payment`)
        .set(bearer(userId))
        .send({ paymentMethodId }),
    cancel: (userId: string, sessionId: string) => h.http.delete(session(sessionId)).set(bearer(userId)),
    get: (userId: string, sessionId: string) => h.http.get(session(sessionId)).set(bearer(userId)).expect(200),
    ledger: (sessionId: string) =>
      h.database.db('payment_transactions').where({ checkout_session_id: sessionId }).orderBy('created_at'),
    intent: (id: string) => h.stripe.paymentIntents().find((intent) => intent.id === id)!,
    intentsOf: (sessionId: string) =>
      h.stripe.paymentIntents().filter((intent) => intent.metadata.checkout_session_id === sessionId),
    /** Places with the 3-D Secure card and answers the PaymentIntent that awaits the shopper's authentication. */
    async askFor3ds(userId: string, sessionId: string): Promise<string> {
      const res = await this.place(userId, sessionId, `${sessionId}-3ds`);
      expect(res.status).toBe(402);
      expect(res.body.error.code).toBe('payment_requires_action');
      return res.body.error.details.paymentIntentId as string;
    },
  };
}

describe('after a 3-D Secure answer', () => {
  let h: CheckoutHarness;
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    h = await startCheckoutHarness();
    api = client(h);
    await h.seedCatalog();
  });
  afterAll(() => h.close());

  it('when the shopper completes 3-D Secure and then picks another card, then the change is refused and placing uses the one payment', async () => {
    const sessionId = await h.sessionReadyToPlace('3ds-paid-1', THREE_DS_CARD);
    const paymentIntentId = await api.askFor3ds('3ds-paid-1', sessionId);
    h.stripe.authenticate(paymentIntentId);

    const changed = await api.setCard('3ds-paid-1', sessionId, 'pm_card_visa');
    expect(changed.status).toBe(409);
    expect(changed.body.error).toMatchObject({
      code: 'payment_already_completed',
      details: { paymentIntentId, paymentStatus: 'succeeded' },
    });
    expect((await api.get('3ds-paid-1', sessionId)).body.data).toMatchObject({
      status: 'pending',
      paymentMethodId: THREE_DS_CARD,
      paymentIntentId,
    });

    const placed = await api.place('3ds-paid-1', sessionId, 'after-3ds').expect(201);
    expect(placed.body.data.paymentIntentId).toBe(paymentIntentId);
    expect(api.intentsOf(sessionId)).toHaveLength(1);
    const ledger = await api.ledger(sessionId);
    expect(ledger.map((t) => [t.type, t.status, t.stripe_payment_intent_id, t.amount_cents])).toEqual([
      ['charge', 'succeeded', paymentIntentId, placed.body.data.chargedCents],
    ]);
  });

  it('when the shopper abandons 3-D Secure and picks another card, then the first PaymentIntent is cancelled and the new card pays', async () => {
    const sessionId = await h.sessionReadyToPlace('3ds-abandon-1', THREE_DS_CARD);
    const first = await api.askFor3ds('3ds-abandon-1', sessionId);

    const changed = await api.setCard('3ds-abandon-1', sessionId, 'pm_card_visa').expect(200);
    expect(changed.body.data).toMatchObject({ paymentMethodId: 'pm_card_visa', paymentIntentId: null });
    expect(api.intent(first)).toMatchObject({ status: 'canceled' });
    // A challenge still open on the shopper's device can no longer take money.
    expect(() => h.stripe.authenticate(first)).toThrow(/requires_action/);

    const placed = await api.place('3ds-abandon-1', sessionId, 'new-card').expect(201);
    expect(placed.body.data.paymentIntentId).not.toBe(first);
    expect(
      api
        .intentsOf(sessionId)
        .map((intent) => intent.status)
        .sort(),
    ).toEqual(['canceled', 'succeeded']);
    const charges = (await api.ledger(sessionId)).filter((t) => t.status === 'succeeded');
    expect(charges).toEqual([
      expect.objectContaining({ type: 'charge', stripe_payment_intent_id: placed.body.data.paymentIntentId }),
    ]);
  });

  it('when the cancel of an abandoned PaymentIntent fails at the provider, then the card change fails and its retry completes it', async () => {
    const sessionId = await h.sessionReadyToPlace('3ds-flaky-1', THREE_DS_CARD);
    const first = await api.askFor3ds('3ds-flaky-1', sessionId);
    h.stripe.injectFaults({ count: 2, status: 500, afterCommit: true, path: `/v1/payment_intents/${first}/cancel` });

    const failed = await api.setCard('3ds-flaky-1', sessionId, 'pm_card_visa');
    expect(failed.status).toBe(503);
    expect((await api.get('3ds-flaky-1', sessionId)).body.data).toMatchObject({
      paymentMethodId: THREE_DS_CARD,
      paymentIntentId: first,
    });

    await api.setCard('3ds-flaky-1', sessionId, 'pm_card_visa').expect(200);
    expect(api.intent(first).status).toBe('canceled');
    expect(h.stripe.stats().cancels).toBeGreaterThanOrEqual(1);
    await api.place('3ds-flaky-1', sessionId, 'after-flaky').expect(201);
  });

  it('when the shopper completes 3-D Secure, then a new address that changes the total is refused', async () => {
    const sessionId = await h.sessionReadyToPlace('3ds-address-1', THREE_DS_CARD);
    const paymentIntentId = await api.askFor3ds('3ds-address-1', sessionId);
    h.stripe.authenticate(paymentIntentId);

    const moved = await h.http
      .put(`/api/v1/checkout/sessions/${sessionId}/shipping`)
      .set(bearer('3ds-address-1'))
      .send({ ...ADDRESS, state: 'NY' });
    expect(moved.status).toBe(409);
    expect(moved.body.error.code).toBe('payment_already_completed');
    // The same address (same total) is harmless: the payment still buys exactly this snapshot.
    await h.http
      .put(`/api/v1/checkout/sessions/${sessionId}/shipping`)
      .set(bearer('3ds-address-1'))
      .send(ADDRESS)
      .expect(200);
    const placed = await api.place('3ds-address-1', sessionId, 'after-address').expect(201);
    expect(placed.body.data.paymentIntentId).toBe(paymentIntentId);
  });

  it('when the shopper completes 3-D Secure, then cancelling the session is refused with 409 and placing still works', async () => {
    const sessionId = await h.sessionReadyToPlace('3ds-cancel-1', THREE_DS_CARD);
    const paymentIntentId = await api.askFor3ds('3ds-cancel-1', sessionId);
    h.stripe.authenticate(paymentIntentId);

    const cancelled = await api.cancel('3ds-cancel-1', sessionId);
    expect(cancelled.status).toBe(409);
    expect(cancelled.body.error).toMatchObject({ code: 'payment_already_completed', details: { paymentIntentId } });
    expect((await api.get('3ds-cancel-1', sessionId)).body.data.status).toBe('pending');

    const placed = await api.place('3ds-cancel-1', sessionId, 'after-cancel').expect(201);
    expect(placed.body.data.paymentIntentId).toBe(paymentIntentId);
    expect(api.intentsOf(sessionId)).toHaveLength(1);
  });

  it('when the shopper cancels during 3-D Secure, then its PaymentIntent is cancelled with the session', async () => {
    const sessionId = await h.sessionReadyToPlace('3ds-cancel-2', THREE_DS_CARD);
    const paymentIntentId = await api.askFor3ds('3ds-cancel-2', sessionId);

    const cancelled = await api.cancel('3ds-cancel-2', sessionId).expect(200);
    expect(cancelled.body.data).toMatchObject({ status: 'cancelled', paymentIntentId: null });
    expect(api.intent(paymentIntentId).status).toBe('canceled');
    await api.cancel('3ds-cancel-2', sessionId).expect(200);
  });

  it('when 3-D Secure fails and the shopper places again, then the failed PaymentIntent is cancelled before a new one is made', async () => {
    const sessionId = await h.sessionReadyToPlace('3ds-failed-1', THREE_DS_CARD);
    const first = await api.askFor3ds('3ds-failed-1', sessionId);
    h.stripe.authenticate(first, 'fail');

    const again = await api.place('3ds-failed-1', sessionId, 'after-failed');
    expect(again.status).toBe(402);
    expect(again.body.error.details.paymentIntentId).not.toBe(first);
    expect(api.intent(first).status).toBe('canceled');
  });
});

describe('the abandoned-payment sweep', () => {
  let h: CheckoutHarness;
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    h = await startCheckoutHarness();
    api = client(h);
    await h.seedCatalog();
  });
  afterAll(() => h.close());
  const sweep = () => h.app.services.placeCheckout.recoverAbandonedPayments();

  it('when the shopper pays by 3-D Secure and never comes back, then the expired session is placed with that one payment', async () => {
    const sessionId = await h.sessionReadyToPlace('sweep-paid-1', THREE_DS_CARD);
    const paymentIntentId = await api.askFor3ds('sweep-paid-1', sessionId);
    h.stripe.authenticate(paymentIntentId);

    // A shopper on their way back gets a few minutes to place it themselves.
    h.clock.advance(MINUTE);
    expect(await sweep()).toBe(0);

    h.clock.advance(30 * MINUTE);
    expect((await api.get('sweep-paid-1', sessionId)).body.data.status).toBe('expired');
    expect(await sweep()).toBe(1);

    const session = (await api.get('sweep-paid-1', sessionId)).body.data;
    expect(session).toMatchObject({ status: 'placed', paymentIntentId });
    expect(session.orders).toHaveLength(2);
    expect(api.intentsOf(sessionId)).toHaveLength(1);
    const ledger = await api.ledger(sessionId);
    expect(ledger).toEqual([
      expect.objectContaining({ type: 'charge', status: 'succeeded', stripe_payment_intent_id: paymentIntentId }),
    ]);
    expect(ledger[0].amount_cents).toBe(
      session.orders.reduce((sum: number, order: { totalCents: number }) => sum + order.totalCents, 0),
    );
    const orderNumbers = session.orders.map((order: { orderNumber: string }) => order.orderNumber);
    expect(h.enqueued.filter((job) => orderNumbers.includes(job.orderNumber))).toHaveLength(2);

    expect(await sweep()).toBe(0);
    expect(await api.ledger(sessionId)).toHaveLength(1);
  });

  it('when the shopper places the expired session they paid, then it finishes with that payment', async () => {
    const sessionId = await h.sessionReadyToPlace('sweep-paid-2', THREE_DS_CARD);
    const paymentIntentId = await api.askFor3ds('sweep-paid-2', sessionId);
    h.stripe.authenticate(paymentIntentId);
    h.clock.advance(31 * MINUTE);

    const placed = await api.place('sweep-paid-2', sessionId, 'late').expect(201);
    expect(placed.body.data.paymentIntentId).toBe(paymentIntentId);
    expect(api.intentsOf(sessionId)).toHaveLength(1);
  });

  it('when 3-D Secure is never completed, then the expired session lets go of its PaymentIntent, cancelled', async () => {
    const sessionId = await h.sessionReadyToPlace('sweep-unpaid-1', THREE_DS_CARD);
    const paymentIntentId = await api.askFor3ds('sweep-unpaid-1', sessionId);
    h.clock.advance(31 * MINUTE);

    expect(await sweep()).toBe(0);
    expect(api.intent(paymentIntentId).status).toBe('canceled');
    expect((await api.get('sweep-unpaid-1', sessionId)).body.data).toMatchObject({
      status: 'expired',
      paymentIntentId: null,
    });
    expect(await api.ledger(sessionId)).toEqual([]);
  });
});

describe('an earlier payment still processing', () => {
  let h: CheckoutHarness;
  let api: ReturnType<typeof client>;
  /** PaymentIntents the provider reports as processing (cards settle at once in the sandbox; some methods do not). */
  const processing = new Set<string>();
  beforeAll(async () => {
    // Filled in once the harness's sandbox is up: the real gateway, whose retrieve reports the processing ones.
    const payments = {} as PaymentGateway;
    h = await startCheckoutHarness({ payments });
    const stripe = createStripeGateway({ secretKey: 'sk_test_harness', apiUrl: h.stripe.url, maxNetworkRetries: 1 });
    Object.assign(payments, stripe, {
      retrieve: async (id: string) => {
        const payment = await stripe.retrieve(id);
        return processing.has(id) ? { ...payment, status: 'processing' } : payment;
      },
    });
    api = client(h);
    await h.seedCatalog();
  });
  afterAll(() => h.close());

  it('when a place retry finds the earlier payment processing, then it answers 409 without charging and a later retry finishes', async () => {
    const sessionId = await h.sessionReadyToPlace('processing-1', THREE_DS_CARD);
    const paymentIntentId = await api.askFor3ds('processing-1', sessionId);
    processing.add(paymentIntentId);

    for (let i = 0; i < 2; i += 1) {
      const busy = await api.place('processing-1', sessionId, 'retry-later');
      expect(busy.status).toBe(409);
      expect(busy.body.error).toMatchObject({ code: 'request_in_progress', details: { paymentIntentId } });
    }
    expect((await api.get('processing-1', sessionId)).body.data).toMatchObject({ status: 'pending', paymentIntentId });
    const changed = await api.setCard('processing-1', sessionId, 'pm_card_visa');
    expect(changed.status).toBe(409);
    expect(changed.body.error).toMatchObject({
      code: 'payment_already_completed',
      details: { paymentStatus: 'processing' },
    });
    expect(api.intentsOf(sessionId)).toHaveLength(1);

    processing.delete(paymentIntentId);
    h.stripe.authenticate(paymentIntentId);
    // The same key runs again: "in progress" answers are not saved.
    const placed = await api.place('processing-1', sessionId, 'retry-later').expect(201);
    expect(placed.body.data.paymentIntentId).toBe(paymentIntentId);
    expect(api.intentsOf(sessionId)).toHaveLength(1);
  });
});
