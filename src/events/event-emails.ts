import type { Knex } from 'knex';
import { listOrderItems } from '../repositories/orders-repository';
import type { OrderRecord } from '../domain/order';
import type { OutboxEventRecord } from '../repositories/outbox-repository';
import { refundedCentsByOrder } from '../repositories/payment-transactions-repository';
import type { RenderedEmail } from './emails/layout';
import {
  orderConfirmationMail,
  orderNotPlacedMail,
  orderShippedMail,
  refundSentMail,
  type MailStoreOrder,
} from './emails/order-mails';
import { orderFromRow, sessionFromRow } from './event-resources';

export interface ComposedEmail extends RenderedEmail {
  template: string;
  to: string;
}

/**
 * The shopper's mail for an event, if it has one and the checkout gave an email address: the confirmation when a
 * checkout is placed, a shipping notice per store order, a notice when one is cancelled or fails (with what is
 * refunded), and one when a refund has gone out. Written when the event is fanned out, so it says what was true then.
 */
export async function composeEventEmail(db: Knex, event: OutboxEventRecord): Promise<ComposedEmail | null> {
  const { data } = event;
  if (event.type === 'checkout.placed') {
    const session = sessionFromRow(data.session);
    const to = session.shippingAddress?.email;
    if (!to) return null;
    const orders = (data.orders as Record<string, any>[]).map(orderFromRow);
    const storeOrders: MailStoreOrder[] = orders.map((order) => {
      const store = session.cartSnapshot.stores.find((s) => s.storeId === order.storeId);
      return { ...totalsOf(order), items: store?.items ?? [] };
    });
    const mail = orderConfirmationMail({
      name: session.shippingAddress!.name,
      checkoutSessionId: session.id,
      currency: session.currency,
      orders: storeOrders,
      totalCents: session.totalCents,
      // An authorization (capture policy after_placement) carries the deadline of its capture.
      charged: !data.session.capture_due_at,
    });
    return { template: 'order_confirmation', to, ...mail };
  }
  // A checkout's outcome has no mail of its own: each of its orders says what became of it.
  if (!data.order) return null;

  const order = orderFromRow(data.order);
  const to = order.shippingAddress.email;
  if (!to) return null;
  const name = order.shippingAddress.name;
  if (event.type === 'refund.succeeded') {
    return {
      template: 'refund_sent',
      to,
      ...refundSentMail({
        name,
        orderNumber: order.orderNumber,
        storeName: order.storeName,
        amountCents: data.refund.amount_cents,
        currency: order.currency,
      }),
    };
  }
  if (event.type === 'order.shipped') {
    const mail = orderShippedMail({
      name,
      order: await storeOrderOf(db, order),
      currency: order.currency,
      carrier: order.carrier,
      trackingNumber: order.trackingNumber,
      estimatedDelivery: order.estimatedDelivery,
    });
    return { template: 'order_shipped', to, ...mail };
  }
  if (event.type === 'order.cancelled' || event.type === 'order.failed') {
    // The refund such a move owes is written with the move, so it is in the ledger by now (none: never charged).
    const refundCents = (await refundedCentsByOrder(db, [order.id])).get(order.id) ?? 0;
    const mail = orderNotPlacedMail({
      name,
      order: await storeOrderOf(db, order),
      currency: order.currency,
      outcome: event.type === 'order.cancelled' ? 'cancelled' : 'failed',
      refundCents,
    });
    return { template: event.type === 'order.cancelled' ? 'order_cancelled' : 'order_failed', to, ...mail };
  }
  return null;
}

const totalsOf = (order: OrderRecord) => ({
  storeName: order.storeName,
  orderNumber: order.orderNumber,
  subtotalCents: order.subtotalCents,
  shippingCents: order.shippingCents,
  taxCents: order.taxCents,
  totalCents: order.totalCents,
});

async function storeOrderOf(db: Knex, order: OrderRecord): Promise<MailStoreOrder> {
  const items = await listOrderItems(db, order.id);
  return { ...totalsOf(order), items };
}
