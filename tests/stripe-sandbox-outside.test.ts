import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { startStripeSandbox, type StripeSandbox } from '../src/sandbox/stripe';

/** The sandbox's list endpoints, webhook events and the things only Stripe's side does (Dashboard refunds, disputes). */

let sandbox: StripeSandbox;
let stripe: Stripe;
let receiver: Server;
let receiverUrl: string;
const received: { body: string; signature: string }[] = [];
let failNext = 0;

const control = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${sandbox.url}/_sandbox/${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
};

const pay = (amount = 2_000) =>
  stripe.paymentIntents.create({
    amount,
    currency: 'usd',
    payment_method: 'pm_card_visa',
    confirm: true,
    allowed_payment_method_types: ['card'],
  });

beforeAll(async () => {
  sandbox = await startStripeSandbox();
  const url = new URL(sandbox.url);
  stripe = new Stripe('sk_test_lists', {
    host: url.hostname,
    port: Number(url.port),
    protocol: 'http',
    maxNetworkRetries: 0,
  });
  receiver = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: String(req.headers['stripe-signature']),
      });
      res.writeHead(failNext > 0 ? (failNext--, 500) : 200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  await sandbox.stop();
  await new Promise((resolve) => receiver.close(resolve));
});
beforeEach(() => {
  sandbox.reset();
  received.length = 0;
  failNext = 0;
});

describe('list endpoints', () => {
  it('page PaymentIntents newest first, and stripe-node auto-pagination follows starting_after while has_more', async () => {
    const created = [];
    for (let i = 0; i < 23; i += 1) created.push((await pay(1_000 + i)).id);
    const first = await stripe.paymentIntents.list({ limit: 10 });
    expect(first).toMatchObject({ object: 'list', url: '/v1/payment_intents', has_more: true });
    expect(first.data.map((intent) => intent.id)).toEqual(created.slice(-10).reverse());
    const next = await stripe.paymentIntents.list({ limit: 10, starting_after: first.data[9].id });
    expect(next.data.map((intent) => intent.id)).toEqual(created.slice(3, 13).reverse());
    const before = await stripe.paymentIntents.list({ limit: 5, ending_before: next.data[0].id });
    expect(before.data.map((intent) => intent.id)).toEqual(created.slice(13, 18).reverse());

    const all = [];
    for await (const intent of stripe.paymentIntents.list({ limit: 4 })) all.push(intent.id);
    expect(all).toEqual([...created].reverse());
  });

  it('filter by created with gte / lt (and gt / lte), and expand each intent’s latest charge', async () => {
    const intent = await pay();
    const at = intent.created;
    const ids = async (created: Stripe.RangeQueryParam | number) =>
      (await stripe.paymentIntents.list({ created })).data.map((listed) => listed.id);
    expect(await ids({ gte: at, lt: at + 1 })).toEqual([intent.id]);
    expect(await ids({ gt: at })).toEqual([]);
    expect(await ids({ lt: at })).toEqual([]);
    expect(await ids({ lte: at })).toEqual([intent.id]);
    expect(await ids(at)).toEqual([intent.id]);
    const expanded = await stripe.paymentIntents.list({ expand: ['data.latest_charge'] });
    expect(expanded.data[0].latest_charge).toMatchObject({
      object: 'charge',
      id: intent.latest_charge,
      amount_captured: 2_000,
    });
  });

  it('page refunds and disputes the same way, by payment and by period', async () => {
    const intent = await pay(5_000);
    const refunds = [];
    for (const amount of [100, 200, 300])
      refunds.push(await stripe.refunds.create({ payment_intent: intent.id, amount }));
    const all = [];
    for await (const refund of stripe.refunds.list({ limit: 2, created: { gte: refunds[0].created } }))
      all.push(refund.amount);
    expect(all).toEqual([300, 200, 100]);
    expect((await stripe.refunds.list({ payment_intent: 'pi_other' })).data).toEqual([]);
    const dispute = (await control('POST', 'disputes', { paymentIntentId: intent.id })).body;
    expect((await stripe.disputes.list({ payment_intent: intent.id })).data).toEqual([
      expect.objectContaining({ id: dispute.id, amount: 4_400, status: 'needs_response' }),
    ]);
    expect(await stripe.disputes.retrieve(dispute.id)).toMatchObject({ id: dispute.id, charge: intent.latest_charge });
  });

  it('refuse a limit out of range, two cursors, an unknown cursor and an unknown created bound as Stripe does', async () => {
    await pay();
    await expect(stripe.paymentIntents.list({ limit: 101 })).rejects.toMatchObject({ statusCode: 400, param: 'limit' });
    await expect(stripe.refunds.list({ starting_after: 're_a', ending_before: 're_b' })).rejects.toMatchObject({
      code: 'parameters_exclusive',
    });
    await expect(stripe.paymentIntents.list({ starting_after: 'pi_missing' })).rejects.toMatchObject({
      code: 'resource_missing',
      param: 'starting_after',
    });
    await expect(stripe.paymentIntents.list({ created: { since: 1 } as never })).rejects.toMatchObject({
      code: 'parameter_unknown',
    });
  });
});

describe('what happens on Stripe’s side', () => {
  const secret = 'whsec_sandbox_outside_test';
  const events = () => received.map(({ body, signature }) => stripe.webhooks.constructEvent(body, signature, secret));

  it('sends the events of a Dashboard refund, signed as Stripe signs them, in the order they happened', async () => {
    await control('POST', 'webhook_endpoints', { url: receiverUrl, secret });
    const intent = await pay(3_000);
    const refund = (await control('POST', 'dashboard/refunds', { paymentIntentId: intent.id, amount: 1_200 })).body;
    expect(refund).toMatchObject({
      id: expect.stringMatching(/^re_/),
      amount: 1_200,
      status: 'succeeded',
      metadata: {},
    });
    await control('POST', 'webhooks/idle', {});
    const verified = events();
    expect(verified.map((event) => event.type)).toEqual(['charge.refunded', 'refund.created']);
    expect(verified[0].data.object).toMatchObject({
      object: 'charge',
      payment_intent: intent.id,
      amount_refunded: 1_200,
    });
    expect(verified[1].data.object).toMatchObject({ id: refund.id, payment_intent: intent.id });
    expect(() => stripe.webhooks.constructEvent(received[0].body, received[0].signature, 'whsec_other')).toThrow();
    const log = (await control('GET', 'events?type=refund.created')).body.data;
    expect(log).toEqual([
      expect.objectContaining({
        deliveries: [expect.objectContaining({ status: 'delivered', attempts: 1, lastStatusCode: 200 })],
      }),
    ]);
  });

  it('delivers again when the endpoint does not answer 2xx', async () => {
    await control('POST', 'webhook_endpoints', { url: receiverUrl, secret, enabledEvents: ['refund.created'] });
    failNext = 2;
    const intent = await pay();
    await control('POST', 'dashboard/refunds', { paymentIntentId: intent.id });
    await control('POST', 'webhooks/idle', {});
    const log = (await control('GET', 'events')).body.data;
    expect(log).toHaveLength(1);
    expect(log[0].deliveries[0]).toMatchObject({ status: 'delivered', lastStatusCode: 200 });
    expect(log[0].deliveries[0].attempts).toBe(3);
    expect(events().map((event) => event.id)).toEqual([log[0].event.id, log[0].event.id, log[0].event.id]);
  });

  it('opens, moves and closes a dispute, sending charge.dispute.created / updated / closed', async () => {
    await control('POST', 'webhook_endpoints', { url: receiverUrl, secret });
    const intent = await pay(2_500);
    const dispute = (
      await control('POST', 'disputes', { paymentIntentId: intent.id, amount: 1_000, reason: 'product_not_received' })
    ).body;
    await control('POST', `disputes/${dispute.id}`, { status: 'under_review' });
    await control('POST', `disputes/${dispute.id}/close`, { outcome: 'lost' });
    const again = await control('POST', `disputes/${dispute.id}/close`, { outcome: 'won' });
    expect(again).toMatchObject({ status: 400, body: { error: { code: 'dispute_already_closed' } } });
    await control('POST', 'webhooks/idle', {});
    expect(events().map((event) => [event.type, (event.data.object as Stripe.Dispute).status])).toEqual([
      ['charge.dispute.created', 'needs_response'],
      ['charge.dispute.updated', 'under_review'],
      ['charge.dispute.closed', 'lost'],
    ]);
    expect(events()[0].data.object).toMatchObject({
      id: dispute.id,
      amount: 1_000,
      payment_intent: intent.id,
      charge: intent.latest_charge,
      reason: 'product_not_received',
    });
    expect((await control('POST', 'disputes', { paymentIntentId: 'pi_missing' })).status).toBe(400);
  });
});
