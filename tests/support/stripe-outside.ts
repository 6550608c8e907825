import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { createApiPlacementAdapter } from '../../src/placement/api-adapter';
import { startCheckoutHarness, type CheckoutHarness } from './checkout-harness';
import { ledgerFor } from './order-fixtures';
import { bearer } from './tokens';

export const WEBHOOK_SECRET = 'whsec_outside_money_test_secret';

export interface OutsideHarness extends CheckoutHarness {
  /** The Stripe sandbox's control surface, over HTTP as another process would use it. */
  control(path: string, body?: object, method?: string): Promise<any>;
  /** Waits until every event the sandbox has sent so far was delivered (or given up on). */
  eventsDelivered(): Promise<void>;
  stripeSdk: Stripe;
  /** Where the API listens (the sandbox's webhook endpoint is under it). */
  apiUrl: string;
  paymentIntentOf(sessionId: string): Promise<string>;
  expectBalanced(sessionId: string): Promise<void>;
  closeAll(): Promise<void>;
}

/**
 * The checkout harness with the API listening on a loopback port and registered as the Stripe sandbox's webhook
 * endpoint: what the sandbox does at "Stripe" reaches the service as Stripe's signed events, over HTTP.
 */
export async function startOutsideHarness(): Promise<OutsideHarness> {
  const h = await startCheckoutHarness({
    placement: {
      adapters: [createApiPlacementAdapter()],
      enqueue: async () => {},
      stripeWebhookSecret: WEBHOOK_SECRET,
    },
  });
  await h.seedCatalog();
  const server: Server = createServer(h.app.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sandbox = new URL(h.stripe.url);
  const stripeSdk = new Stripe('sk_test_outside', {
    host: sandbox.hostname,
    port: Number(sandbox.port),
    protocol: 'http',
    maxNetworkRetries: 0,
  });

  async function control(path: string, body?: object, method = body ? 'POST' : 'GET') {
    const response = await fetch(`${h.stripe.url}/_sandbox/${path}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await response.json();
    if (!response.ok) throw new Error(`sandbox control ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  }
  await control('webhook_endpoints', { url: `${apiUrl}/api/v1/webhooks/stripe`, secret: WEBHOOK_SECRET });

  const admin = bearer('admin-1', 'admin');
  const outside: OutsideHarness = Object.assign(h, {
    control,
    stripeSdk,
    apiUrl,
    async eventsDelivered() {
      await control('webhooks/idle', {});
    },
    async paymentIntentOf(sessionId: string) {
      const row = await h.database.db('checkout_sessions').where({ id: sessionId }).first('payment_intent_id');
      return row.payment_intent_id as string;
    },
    /**
     * Money in balances three ways: the ledger (charge − refunds − lost disputes), the orders (what each kept, as
     * the API shows its refunds) and Stripe (captured − refunded − lost disputes on the payment's charge).
     */
    async expectBalanced(sessionId: string) {
      const rows = await ledgerFor(h, sessionId);
      const sum = (keep: (row: any) => boolean) =>
        rows.filter(keep).reduce((total: number, row: any) => total + row.amount_cents, 0);
      const charged = sum((row) => ['charge', 'capture'].includes(row.type) && row.status === 'succeeded');
      const refunded = sum((row) => ['refund', 'partial_refund'].includes(row.type) && row.status !== 'failed');
      const lost = sum((row) => row.type === 'dispute_loss' && row.status === 'succeeded');
      const orders = await h.database.db('orders').where({ checkout_session_id: sessionId });
      let kept = 0;
      for (const order of orders) {
        const view = (await h.http.get(`/api/v1/orders/${order.order_number}`).set(admin).expect(200)).body.data;
        const lostOfOrder = sum((row) => row.order_id === order.id && row.type === 'dispute_loss');
        expect(view.refundedCents + lostOfOrder).toBeLessThanOrEqual(order.total_cents);
        kept += order.total_cents - view.refundedCents - lostOfOrder;
      }
      expect(charged - refunded - lost).toBe(kept);
      const intent = await stripeSdk.paymentIntents.retrieve(await outside.paymentIntentOf(sessionId));
      const charge = await stripeSdk.charges.retrieve(intent.latest_charge as string);
      const disputes = await stripeSdk.disputes.list({ payment_intent: intent.id, limit: 100 });
      const lostAtStripe = disputes.data
        .filter((dispute) => dispute.status === 'lost')
        .reduce((total, dispute) => total + dispute.amount, 0);
      expect(charge.amount_captured - charge.amount_refunded - lostAtStripe).toBe(kept);
    },
    async closeAll() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await h.close();
    },
  });
  return outside;
}
