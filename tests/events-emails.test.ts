import { admin, ops, startEventsHarness, waitFor, type EventsHarness } from './support/events-harness';

/**
 * The shopper's mails, sent with nodemailer to a real SMTP server on loopback (smtp-server) and read back parsed
 * (mailparser): a confirmation with every store order and the charge, a shipping notice with carrier and tracking,
 * a notice when an order fails or is cancelled with its refund, and one when the refund has gone out.
 */
let h: EventsHarness;
let acme: { slug: string; name: string };
let corner: { slug: string; name: string };

const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`;
const mailsTo = (address: string) => h.smtp!.to(address);
const waitForMail = (address: string, subject: RegExp, timeoutMs = 20_000) =>
  waitFor(
    async () => mailsTo(address).find((mail) => subject.test(mail.subject ?? '')),
    timeoutMs,
    `mail "${subject}" to ${address}`,
  );

beforeAll(async () => {
  h = await startEventsHarness({ smtp: true });
  acme = await h.createApiStore('acme', { shippingCents: 500 });
  corner = await h.createManualStore('corner');
});
afterAll(() => h.close());

describe('mails to the shopper', () => {
  it('confirm the checkout with every store order and the charge, then announce shipping with carrier and tracking', async () => {
    const email = 'ada@example.com';
    const checkout = await h.checkoutWithEmail('mail-shopper-1', email, [
      { storeSlug: acme.slug, sku: 'MUG', quantity: 2 },
      { storeSlug: corner.slug, sku: 'LANTERN' },
    ]);
    const confirmation = await waitForMail(email, /confirmed/);
    expect(confirmation.subject).toBe(`Your order is confirmed (${dollars(checkout.chargedCents)})`);
    expect(confirmation.text).toContain(`Charged to your card: ${dollars(checkout.chargedCents)}`);
    for (const order of checkout.orders) {
      expect(confirmation.text).toContain(`${order.storeName} — order ${order.orderNumber}`);
      expect(confirmation.text).toContain(`Total: ${dollars(order.totalCents)}`);
      expect(confirmation.html).toContain(order.orderNumber);
    }
    expect(confirmation.text).toContain(`2 × Enamel mug: ${dollars(2 * 1250)}`);
    expect(confirmation.html).toContain(`<strong>Charged to your card: ${dollars(checkout.chargedCents)}</strong>`);
    expect(confirmation.from?.text).toContain('orders@mor-checkout.local');

    const acmeOrder = checkout.orders.find((order) => order.storeName === acme.name)!;
    await h.waitForStatus(acmeOrder.orderNumber, 'placed');
    await h.http
      .put(`/api/v1/orders/${acmeOrder.orderNumber}/tracking`)
      .set(ops)
      .send({ trackingNumber: '1Z-ADA-42', carrier: 'UPS', estimatedDelivery: '2026-12-24' })
      .expect(200);
    const shipped = await waitForMail(email, /has shipped/);
    expect(shipped.subject).toBe(`Your order ${acmeOrder.orderNumber} from ${acme.name} has shipped`);
    expect(shipped.text).toContain('Carrier: UPS');
    expect(shipped.text).toContain('Tracking number: 1Z-ADA-42');
    expect(shipped.text).toContain('Estimated delivery: 2026-12-24');
    expect(shipped.html).toContain('1Z-ADA-42');
  });

  it('tell the shopper an order failed with what is refunded, and again when the refund has gone out', async () => {
    const email = 'bob@example.com';
    const checkout = await h.checkoutWithEmail('mail-shopper-2', email, [{ storeSlug: corner.slug, sku: 'MUG' }]);
    const [order] = checkout.orders;
    const task = await waitFor(() => h.liveTaskOf(order.orderNumber), 20_000, 'the manual task');
    await h.http.post(`/api/v1/ops/tasks/${task.taskId}/claim`).set(ops).expect(200);
    await h.http
      .post(`/api/v1/ops/tasks/${task.taskId}/fail`)
      .set(ops)
      .send({ reason: 'the retailer is out of stock' })
      .expect(200);

    const failed = await waitForMail(email, /could not be placed/);
    expect(failed.subject).toBe(`Your order ${order.orderNumber} from ${corner.name} could not be placed`);
    expect(failed.text).toContain(`We are refunding ${dollars(order.totalCents)} to your card`);
    // Failure reasons are written for ops (who failed the task, adapter errors): the shopper does not see them.
    expect(failed.text).not.toContain('ops-1');
    const refunded = await waitForMail(email, /We have refunded/);
    expect(refunded.subject).toBe(`We have refunded ${dollars(order.totalCents)} for order ${order.orderNumber}`);
  });

  it('tell the shopper an order was cancelled', async () => {
    const email = 'cy@example.com';
    const checkout = await h.checkoutWithEmail('mail-shopper-3', email, [{ storeSlug: acme.slug, sku: 'LANTERN' }]);
    const [order] = checkout.orders;
    await h.waitForStatus(order.orderNumber, 'placed');
    await h.http
      .post(`/api/v1/admin/orders/${order.orderNumber}/cancel`)
      .set(admin)
      .send({ reason: 'shopper asked' })
      .expect(200);
    const cancelled = await waitForMail(email, /was cancelled/);
    expect(cancelled.text).toContain(`We are refunding ${dollars(order.totalCents)} to your card`);
    await waitForMail(email, /We have refunded/);
  });

  it('retries a mail the server refused for a while, and sends each event’s mail once', async () => {
    const email = 'di@example.com';
    h.smtp!.refuseMail(true);
    const checkout = await h.checkoutWithEmail('mail-shopper-4', email, [{ storeSlug: acme.slug, sku: 'MUG' }]);
    const refused = await waitFor(
      async () => {
        const row = await h.database.db('email_deliveries').where({ to_address: email }).first();
        return row?.attempts >= 2 && row;
      },
      20_000,
      'two refused tries',
    );
    expect(refused.last_error).toContain('451');
    h.smtp!.refuseMail(false);
    await waitForMail(email, /confirmed/);
    await h.waitForStatus(checkout.orders[0].orderNumber, 'placed');

    const everyone = ['ada@example.com', 'bob@example.com', 'cy@example.com', email];
    const rows = await waitFor(async () => {
      const all = await h.database.db('email_deliveries').whereIn('to_address', everyone);
      return all.every((row) => row.status === 'sent') && all;
    });
    const messageIds = everyone.flatMap((address) => mailsTo(address).map((mail) => mail.messageId));
    expect(new Set(messageIds).size).toBe(messageIds.length);
    expect(messageIds).toHaveLength(rows.length);
    const ops_ = await h.http.get('/api/v1/ops/emails').query({ status: 'sent', limit: 100 }).set(ops).expect(200);
    expect(ops_.body.meta.totalEmails).toBe(rows.length);
  });
});
