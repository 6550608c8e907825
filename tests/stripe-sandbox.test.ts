import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { startStripeSandbox, type StripeSandbox } from '../src/sandbox/stripe';

/** The sandbox through the official SDK and through raw HTTP, the way Stripe itself would be spoken to. */

const SECRET_KEY = 'sk_test_raw';

let sandbox: StripeSandbox;
let stripe: Stripe;

const sdk = (options: Stripe.StripeConfig = {}, key = SECRET_KEY) => {
  const url = new URL(sandbox.url);
  return new Stripe(key, {
    host: url.hostname,
    port: Number(url.port),
    protocol: 'http',
    telemetry: false,
    ...options,
  });
};

/** A card payment created and confirmed in one call, as the gateway does it. */
const pay = (params: Partial<Stripe.PaymentIntentCreateParams> = {}, options: Stripe.RequestOptions = {}) =>
  stripe.paymentIntents.create(
    {
      amount: 2_000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
      allowed_payment_method_types: ['card'],
      ...params,
    },
    options,
  );

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${SECRET_KEY}`, 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });

const control = (method: string, path: string, body?: unknown) =>
  fetch(`${sandbox.url}/_sandbox/${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

beforeAll(async () => {
  sandbox = await startStripeSandbox();
  stripe = sdk({ maxNetworkRetries: 0 });
});
afterAll(() => sandbox.stop());
beforeEach(() => sandbox.reset());

describe('PaymentIntents', () => {
  it('when a test card pays, then the intent looks like Stripe’s, with a fresh PaymentMethod and a charge', async () => {
    const intent = await pay({ metadata: { orderNumber: 'MO-1' } });

    expect(intent).toMatchObject({
      id: expect.stringMatching(/^pi_/),
      object: 'payment_intent',
      amount: 2_000,
      amount_received: 2_000,
      amount_capturable: 0,
      currency: 'usd',
      status: 'succeeded',
      client_secret: expect.stringMatching(new RegExp(`^${intent.id}_secret_`)),
      payment_method: expect.stringMatching(/^pm_(?!card_)/),
      latest_charge: expect.stringMatching(/^ch_/),
      allowed_payment_method_types: ['card'],
      payment_method_types: ['card'],
      metadata: { orderNumber: 'MO-1' },
      next_action: null,
      last_payment_error: null,
    });
    expect(intent.lastResponse.requestId).toMatch(/^req_/);
    expect(await stripe.paymentIntents.retrieve(intent.id)).toEqual({ ...intent });
  });

  it('when a card is declined, then a card error carries the intent, left in requires_payment_method', async () => {
    const error = await pay({ payment_method: 'pm_card_chargeDeclinedInsufficientFunds' }).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    const cardError = error as Stripe.errors.StripeCardError;
    expect(cardError).toMatchObject({
      statusCode: 402,
      code: 'card_declined',
      decline_code: 'insufficient_funds',
      message: 'Your card has insufficient funds.',
    });
    expect(cardError.payment_intent).toMatchObject({
      status: 'requires_payment_method',
      payment_method: null,
      last_payment_error: { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds' },
    });
  });

  it('when a declined intent is confirmed again with a good card, then it succeeds', async () => {
    const declined = (await pay({ payment_method: 'pm_card_chargeDeclined' }).catch(
      (caught: Stripe.errors.StripeCardError) => caught,
    )) as Stripe.errors.StripeCardError;

    const intent = await stripe.paymentIntents.confirm(declined.payment_intent!.id, {
      payment_method: 'pm_card_mastercard',
    });

    expect(intent).toMatchObject({ status: 'succeeded', last_payment_error: null });
    expect(sandbox.stats()).toMatchObject({ paymentIntentsCreated: 1, confirms: 2 });
  });

  it('when 3-D Secure is required, then the intent waits for the shopper; once they authenticate it succeeds', async () => {
    const intent = await pay({ payment_method: 'pm_card_authenticationRequired' });
    expect(intent).toMatchObject({ status: 'requires_action', next_action: { type: 'use_stripe_sdk' } });

    const response = await control('POST', `payment_intents/${intent.id}/authenticate`);

    expect(response.status).toBe(200);
    expect(await stripe.paymentIntents.retrieve(intent.id)).toMatchObject({
      status: 'succeeded',
      amount_received: 2_000,
      next_action: null,
    });
  });

  it('when 3-D Secure is done on a manually confirmed intent, then the server confirms it once more', async () => {
    const intent = await pay({
      payment_method: 'pm_card_threeDSecure2Required',
      confirmation_method: 'manual',
      capture_method: 'manual',
    });

    expect(sandbox.authenticate(intent.id).status).toBe('requires_confirmation');
    const confirmed = await stripe.paymentIntents.confirm(intent.id);

    expect(confirmed).toMatchObject({ status: 'requires_capture', amount_capturable: 2_000 });
  });

  it('when the shopper fails 3-D Secure, then the intent needs a new payment method', async () => {
    const intent = await pay({ payment_method: 'pm_card_authenticationRequired' });

    sandbox.authenticate(intent.id, 'fail');

    expect(await stripe.paymentIntents.retrieve(intent.id)).toMatchObject({
      status: 'requires_payment_method',
      last_payment_error: { code: 'payment_intent_authentication_failure' },
    });
  });

  it('when 3-D Secure is required off-session, then the issuer declines with authentication_required', async () => {
    await expect(pay({ payment_method: 'pm_card_authenticationRequired', off_session: true })).rejects.toMatchObject({
      code: 'authentication_required',
      decline_code: 'authentication_required',
    });
  });

  it('when an authorization is partly captured, then only the captured part can be refunded', async () => {
    const intent = await pay({ capture_method: 'manual', amount: 10_000 });
    expect(intent).toMatchObject({ status: 'requires_capture', amount_capturable: 10_000, amount_received: 0 });

    await expect(stripe.paymentIntents.capture(intent.id, { amount_to_capture: 10_001 })).rejects.toMatchObject({
      code: 'amount_too_large',
    });
    const captured = await stripe.paymentIntents.capture(intent.id, { amount_to_capture: 6_000 });
    const refund = await stripe.refunds.create({ payment_intent: intent.id });

    expect(captured).toMatchObject({ status: 'succeeded', amount_received: 6_000, amount_capturable: 0 });
    expect(refund).toMatchObject({
      object: 'refund',
      id: expect.stringMatching(/^re_/),
      amount: 6_000,
      status: 'succeeded',
    });
    expect(sandbox.stats()).toMatchObject({ captures: 1, refundsCreated: 1 });
  });

  it('when a payment has succeeded, then it can be neither captured nor canceled', async () => {
    const intent = await pay();

    await expect(stripe.paymentIntents.capture(intent.id)).rejects.toMatchObject({
      statusCode: 400,
      code: 'payment_intent_unexpected_state',
    });
    await expect(stripe.paymentIntents.cancel(intent.id)).rejects.toMatchObject({
      statusCode: 400,
      code: 'payment_intent_unexpected_state',
    });
  });

  it('when an intent does not exist, then it is a 404 resource_missing', async () => {
    await expect(stripe.paymentIntents.retrieve('pi_missing')).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
      param: 'intent',
    });
  });

  it('when the payment method is unknown, then it is a 400 resource_missing on payment_method', async () => {
    await expect(pay({ payment_method: 'pm_card_nope' })).rejects.toMatchObject({
      statusCode: 400,
      code: 'resource_missing',
      param: 'payment_method',
    });
  });

  it('when parameters are invalid, then Stripe’s validation errors come back', async () => {
    await expect(pay({ amount: 49 })).rejects.toMatchObject({ code: 'amount_too_small', param: 'amount' });
    await expect(
      stripe.paymentIntents.create({ currency: 'usd' } as Stripe.PaymentIntentCreateParams),
    ).rejects.toMatchObject({ code: 'parameter_missing', param: 'amount' });
    await expect(pay({ colour: 'red' } as Partial<Stripe.PaymentIntentCreateParams>)).rejects.toMatchObject({
      code: 'parameter_unknown',
      param: 'colour',
    });
  });

  it('when dynamic payment methods are confirmed without a return_url, then Stripe refuses, as it does for real', async () => {
    const params = { amount: 2_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true };

    await expect(stripe.paymentIntents.create(params)).rejects.toThrow(/must provide a `return_url`/);
    await expect(
      stripe.paymentIntents.create({
        ...params,
        automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      }),
    ).resolves.toMatchObject({ status: 'succeeded' });
  });
});

describe('refunds', () => {
  it('when a payment is refunded partly and then in full, then nothing remains to refund', async () => {
    const intent = await pay({ amount: 5_000 });

    const partial = await stripe.refunds.create({
      payment_intent: intent.id,
      amount: 1_500,
      reason: 'requested_by_customer',
      metadata: { orderNumber: 'MO-1' },
    });
    const rest = await stripe.refunds.create({ payment_intent: intent.id });

    expect(partial).toMatchObject({
      amount: 1_500,
      reason: 'requested_by_customer',
      metadata: { orderNumber: 'MO-1' },
      payment_intent: intent.id,
    });
    expect(rest.amount).toBe(3_500);
    expect(await stripe.refunds.retrieve(partial.id)).toEqual({ ...partial });
    await expect(stripe.refunds.create({ payment_intent: intent.id, amount: 1 })).rejects.toMatchObject({
      code: 'charge_already_refunded',
    });
  });

  it('when a refund exceeds what remains, then it is refused and nothing is refunded', async () => {
    const intent = await pay({ amount: 5_000 });
    await stripe.refunds.create({ payment_intent: intent.id, amount: 4_000 });

    const error = await stripe.refunds
      .create({ payment_intent: intent.id, amount: 1_001 })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({
      param: 'amount',
      message: 'Refund amount ($10.01) is greater than unrefunded amount on charge ($10.00)',
    });
    expect(sandbox.stats().refundsCreated).toBe(1);
  });

  it('when the payment never succeeded, then there is nothing to refund', async () => {
    const intent = await pay({ capture_method: 'manual' });

    await expect(stripe.refunds.create({ payment_intent: intent.id })).rejects.toMatchObject({
      code: 'charge_not_refundable',
    });
  });

  it('when refunds are held, then one is created pending, its key replays pending, and retrieving it shows it settled', async () => {
    const intent = await pay({ amount: 5_000 });
    const key = randomUUID();
    sandbox.holdRefunds();

    const created = await stripe.refunds.create({ payment_intent: intent.id, amount: 1_000 }, { idempotencyKey: key });
    expect(created).toMatchObject({ status: 'pending', amount: 1_000 });
    expect(sandbox.settleHeldRefunds('succeeded')).toEqual([
      expect.objectContaining({ id: created.id, status: 'succeeded' }),
    ]);

    // Stripe replays the first answer for a key, frozen: only a retrieve sees the refund as it is now.
    expect(
      await stripe.refunds.create({ payment_intent: intent.id, amount: 1_000 }, { idempotencyKey: key }),
    ).toMatchObject({ id: created.id, status: 'pending' });
    expect(await stripe.refunds.retrieve(created.id)).toMatchObject({ id: created.id, status: 'succeeded' });
    expect(await stripe.refunds.create({ payment_intent: intent.id, amount: 1_000 })).toMatchObject({
      status: 'succeeded',
    });
    expect(sandbox.stats().refundsCreated).toBe(2);
  });

  it('when a held refund fails, then Stripe gives its reason and its amount can be refunded again', async () => {
    const intent = await pay({ amount: 5_000 });
    sandbox.holdRefunds();
    const held = await stripe.refunds.create({ payment_intent: intent.id });

    sandbox.settleHeldRefunds('failed');

    expect(await stripe.refunds.retrieve(held.id)).toMatchObject({
      status: 'failed',
      failure_reason: 'expired_or_canceled_card',
    });
    expect(await stripe.refunds.create({ payment_intent: intent.id })).toMatchObject({
      amount: 5_000,
      status: 'succeeded',
    });
  });

  it('when refunds are listed for a payment, then only its refunds come, newest first, and the SDK pages through them', async () => {
    const intent = await pay({ amount: 5_000 });
    const other = await pay({ amount: 5_000 });
    const ids: string[] = [];
    for (const amount of [100, 200, 300])
      ids.push((await stripe.refunds.create({ payment_intent: intent.id, amount })).id);
    await stripe.refunds.create({ payment_intent: other.id, amount: 400 });

    const firstPage = await stripe.refunds.list({ payment_intent: intent.id, limit: 2 });
    expect(firstPage).toMatchObject({ object: 'list', url: '/v1/refunds', has_more: true });
    expect(firstPage.data.map((refund) => refund.id)).toEqual([ids[2], ids[1]]);
    const all: string[] = [];
    for await (const refund of stripe.refunds.list({ payment_intent: intent.id, limit: 2 })) all.push(refund.id);
    expect(all).toEqual([...ids].reverse());
    expect(
      (await stripe.refunds.list({ payment_intent: intent.id, ending_before: ids[0], limit: 1 })).data.map((r) => r.id),
    ).toEqual([ids[1]]);
    await expect(stripe.refunds.list({ starting_after: 're_unknown' })).rejects.toMatchObject({
      code: 'resource_missing',
      param: 'starting_after',
    });
  });
});

describe('idempotency', () => {
  it('when a request is replayed, then the saved answer comes back marked Idempotent-Replayed', async () => {
    const key = randomUUID();

    const first = await pay({}, { idempotencyKey: key });
    const second = await pay({}, { idempotencyKey: key });

    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(sandbox.stats().paymentIntentsCreated).toBe(1);
  });

  it('when a key is reused with other parameters or on another endpoint, then it is a 400 idempotency_error', async () => {
    const key = randomUUID();
    const intent = await pay({}, { idempotencyKey: key });

    await expect(pay({ amount: 2_001 }, { idempotencyKey: key })).rejects.toMatchObject({
      statusCode: 400,
      type: 'StripeIdempotencyError',
    });
    await expect(stripe.refunds.create({ payment_intent: intent.id }, { idempotencyKey: key })).rejects.toThrow(
      /same endpoint/,
    );
  });

  it('when a request fails validation, then the key is not spent', async () => {
    const key = randomUUID();
    await expect(pay({ amount: 10 }, { idempotencyKey: key })).rejects.toMatchObject({ code: 'amount_too_small' });

    await expect(pay({ amount: 10 }, { idempotencyKey: key })).rejects.toMatchObject({ code: 'amount_too_small' });
    await expect(pay({}, { idempotencyKey: key })).resolves.toMatchObject({ status: 'succeeded' });
  });

  it('when a duplicate arrives while the first is still running, then it gets 409 idempotency_key_in_use and no second intent', async () => {
    sandbox.setLatency(150);
    const key = randomUUID();

    const results = await Promise.allSettled(Array.from({ length: 5 }, () => pay({}, { idempotencyKey: key })));

    const rejected = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(rejected.map((result) => result.reason)).toEqual(
      Array(4).fill(expect.objectContaining({ statusCode: 409, code: 'idempotency_key_in_use' })),
    );
    expect(sandbox.stats().paymentIntentsCreated).toBe(1);
  });

  it('when idempotency keys expire, as Stripe lets them after 24 hours, then the same key runs anew', async () => {
    const intent = await pay({ amount: 5_000 });
    const key = randomUUID();
    const first = await stripe.refunds.create({ payment_intent: intent.id, amount: 1_000 }, { idempotencyKey: key });

    sandbox.expireIdempotencyKeys();

    const second = await stripe.refunds.create({ payment_intent: intent.id, amount: 1_000 }, { idempotencyKey: key });
    expect(second.id).not.toBe(first.id);
    expect(sandbox.stats().refundsCreated).toBe(2);
  });

  it('when two API keys use the same idempotency key, then they do not collide', async () => {
    const key = randomUUID();

    const mine = await pay({}, { idempotencyKey: key });
    const theirs = await sdk({ maxNetworkRetries: 0 }, 'sk_test_other').paymentIntents.create(
      {
        amount: 2_000,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        confirm: true,
        allowed_payment_method_types: ['card'],
      },
      { idempotencyKey: key },
    );

    expect(theirs.id).not.toBe(mine.id);
  });
});

describe('authentication', () => {
  it('when no API key is sent, then it is a 401', async () => {
    const response = await fetch(`${sandbox.url}/v1/payment_intents`, {
      method: 'POST',
      body: 'amount=100&currency=usd',
    });

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: { type: 'invalid_request_error', message: expect.stringContaining('You did not provide an API key') },
    });
    expect(sandbox.stats().paymentIntentsCreated).toBe(0);
  });

  it('when a live or malformed key is sent, then the SDK sees an authentication error', async () => {
    await expect(sdk({}, 'sk_live_abcdefgh1234').paymentIntents.retrieve('pi_x')).rejects.toBeInstanceOf(
      Stripe.errors.StripeAuthenticationError,
    );
  });

  it('when the key comes as Basic auth, as curl -u sends it, then it is accepted', async () => {
    const response = await fetch(`${sandbox.url}/v1/payment_intents`, {
      headers: { Authorization: `Basic ${Buffer.from(`${SECRET_KEY}:`).toString('base64')}` },
    });

    expect(response.status).toBe(200);
  });
});

describe('form encoding and API versions', () => {
  it('when a client sends bracketed form fields, then they are read as Stripe reads them', async () => {
    const response = await post(
      '/v1/payment_intents',
      'amount=1500&currency=USD&payment_method=pm_card_visa&confirm=true&payment_method_types[]=card&metadata[order]=MO-1&metadata%5Bstore%5D=acme',
    );

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      currency: 'usd',
      payment_method_types: ['card'],
      metadata: { order: 'MO-1', store: 'acme' },
    });
  });

  it('when payment_method_types is sent on API version 2026-08-26 or later, then it is refused', async () => {
    const response = await post('/v1/payment_intents', 'amount=1500&currency=usd&payment_method_types[]=card', {
      'Stripe-Version': '2026-10-28.endive',
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'payment_method_types_no_longer_supported' } });
  });

  it('when a form field is malformed, then it is a 400', async () => {
    const response = await post('/v1/payment_intents', 'amount=1500&currency=usd&metadata[a=1');

    expect(response.status).toBe(400);
  });

  it('when a URL is not part of the API, then it is a 404 invalid request', async () => {
    await expect(stripe.customers.create({})).rejects.toMatchObject({
      statusCode: 404,
      message: expect.stringContaining('Unrecognized request URL (POST: /v1/customers)'),
    });
  });
});

describe('controls over HTTP', () => {
  it('when a test in another process drives the sandbox, then stats, faults, listing and reset all work', async () => {
    await pay();
    expect(await (await control('GET', 'stats')).json()).toMatchObject({ paymentIntentsCreated: 1, confirms: 1 });
    expect((await (await control('GET', 'payment_intents')).json()).data).toHaveLength(1);

    expect((await control('POST', 'faults', { count: 1, status: 503, path: '/v1/payment_intents' })).status).toBe(200);
    await expect(pay()).rejects.toMatchObject({ statusCode: 503 });
    await expect(pay()).resolves.toMatchObject({ status: 'succeeded' });

    expect((await control('POST', 'reset')).status).toBe(200);
    expect(sandbox.stats()).toMatchObject({ paymentIntentsCreated: 0, requests: 0 });
  });

  it('when another process holds, settles and expires, then refunds and keys follow', async () => {
    const intent = await pay({ amount: 5_000 });
    const key = randomUUID();
    expect((await control('POST', 'refunds/hold')).status).toBe(200);
    const held = await stripe.refunds.create({ payment_intent: intent.id, amount: 1_000 }, { idempotencyKey: key });
    expect(held.status).toBe('pending');

    const settled = await control('POST', 'refunds/settle', { outcome: 'succeeded' });
    expect((await settled.json()).data).toEqual([expect.objectContaining({ id: held.id, status: 'succeeded' })]);
    expect((await control('POST', 'refunds/settle', { outcome: 'lost' })).status).toBe(400);
    expect((await control('POST', 'idempotency_keys/expire')).status).toBe(200);

    const again = await stripe.refunds.create({ payment_intent: intent.id, amount: 1_000 }, { idempotencyKey: key });
    expect(again).toMatchObject({ status: 'succeeded' });
    expect(again.id).not.toBe(held.id);
  });

  it('when a fault spec is invalid, then the control answers 400', async () => {
    expect((await control('POST', 'faults', { count: 1, status: 418 })).status).toBe(400);
  });

  it('when a fault is scoped to a path, then other paths are untouched', async () => {
    sandbox.injectFaults({ count: 1, status: 500, path: '/v1/refunds' });

    const intent = await pay();

    await expect(stripe.refunds.create({ payment_intent: intent.id })).rejects.toMatchObject({ statusCode: 500 });
  });

  it('when latency is set, then every API request takes at least that long', async () => {
    await control('POST', 'latency', { ms: 120 });
    const started = Date.now();

    await stripe.paymentIntents.list();

    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
  });
});
