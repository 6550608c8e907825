import type { Knex } from 'knex';
import type Stripe from 'stripe';
import { attributeToOrders } from '../../src/domain/attribution';
import { newCheckoutSessionId, newOrderNumber } from '../../src/domain/ids';
import { outsideRefundKey } from '../../src/domain/idempotency-keys';
import { BENCH_ADDRESS } from './seeded-order';

/**
 * A day of checkouts as the service would have left them, on both sides: each one a PaymentIntent at the Stripe
 * sandbox (through the SDK, as the gateway makes them) and, in the database, its session, its charge and two orders.
 * One checkout in five has a refund: the service's own (one row, its key in the refund's metadata) or one made in
 * the Dashboard (spread over both orders, as the webhook records it). Rows are written in bulk.
 */
export async function seedReconciliationDay(
  db: Knex,
  stripe: Stripe,
  settings: { checkouts: number; concurrency: number },
): Promise<{ checkouts: number; orders: number; refunds: number }> {
  const stores = await db('stores')
    .insert(
      [1, 2].map((n) => ({ slug: `recon-store-${n}`, name: `Reconciliation store ${n}`, placement_method: 'manual' })),
    )
    .returning('id');
  let refunds = 0;
  for (let first = 0; first < settings.checkouts; first += 500) {
    const batch = Array.from({ length: Math.min(500, settings.checkouts - first) }, (_, i) => first + i);
    const rows = { sessions: [] as object[], orders: [] as object[], ledger: [] as object[] };
    await inParallel(batch, settings.concurrency, async (n) => {
      const sessionId = newCheckoutSessionId();
      const totals = [1_000 + (n % 900), 2_000 + (n % 500)];
      const total = totals[0] + totals[1];
      const intent = await stripe.paymentIntents.create(
        {
          amount: total,
          currency: 'usd',
          payment_method: 'pm_card_visa',
          confirm: true,
          allowed_payment_method_types: ['card'],
          metadata: { checkout_session_id: sessionId },
        },
        { idempotencyKey: `${sessionId}:charge:1` },
      );
      const orderIds = [crypto.randomUUID(), crypto.randomUUID()];
      rows.sessions.push({
        id: sessionId,
        user_id: `recon-shopper-${n}`,
        status: 'completed',
        cart_snapshot: '{}',
        shipping_address: JSON.stringify(BENCH_ADDRESS),
        currency: 'usd',
        subtotal_cents: total,
        shipping_cents: 0,
        tax_cents: 0,
        total_cents: total,
        payment_intent_id: intent.id,
        payment_attempt: 1,
        expires_at: new Date(),
        placed_at: new Date(),
      });
      totals.forEach((cents, i) =>
        rows.orders.push({
          id: orderIds[i],
          order_number: newOrderNumber(),
          checkout_session_id: sessionId,
          store_id: stores[i].id,
          user_id: `recon-shopper-${n}`,
          status: 'pending',
          placement_method: 'manual',
          subtotal_cents: cents,
          shipping_cents: 0,
          tax_cents: 0,
          total_cents: cents,
          shipping_address: JSON.stringify(BENCH_ADDRESS),
        }),
      );
      rows.ledger.push({
        checkout_session_id: sessionId,
        type: 'charge',
        status: 'succeeded',
        amount_cents: total,
        stripe_payment_intent_id: intent.id,
        idempotency_key: `${sessionId}:charge:1`,
      });
      if (n % 10 === 0) {
        const key = `${orderIds[0]}:refund:bench`;
        const refund = await stripe.refunds.create(
          { payment_intent: intent.id, amount: totals[0], metadata: { idempotency_key: key } },
          { idempotencyKey: key },
        );
        rows.ledger.push({
          checkout_session_id: sessionId,
          order_id: orderIds[0],
          type: 'refund',
          status: 'succeeded',
          amount_cents: totals[0],
          stripe_refund_id: refund.id,
          idempotency_key: key,
        });
        refunds += 1;
      } else if (n % 10 === 5) {
        const refund = await stripe.refunds.create({ payment_intent: intent.id, amount: 700 });
        const { shares } = attributeToOrders(
          700,
          orderIds.map((orderId, i) => ({ orderId, leftCents: totals[i] })),
        );
        for (const share of shares) {
          rows.ledger.push({
            checkout_session_id: sessionId,
            order_id: share.orderId,
            type: 'partial_refund',
            status: 'succeeded',
            amount_cents: share.cents,
            stripe_payment_intent_id: intent.id,
            stripe_refund_id: refund.id,
            idempotency_key: outsideRefundKey(refund.id, share.orderId),
            source: 'stripe',
            attribution: 'spread',
          });
        }
        refunds += 1;
      }
    });
    await db.transaction(async (trx) => {
      await trx('checkout_sessions').insert(rows.sessions);
      await trx('orders').insert(rows.orders);
      await trx('payment_transactions').insert(rows.ledger);
    });
  }
  return { checkouts: settings.checkouts, orders: settings.checkouts * 2, refunds };
}

async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}
