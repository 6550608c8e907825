import { escapeHtml, formatCents, htmlFrame, htmlLines, textLines, type Line, type RenderedEmail } from './layout';

/**
 * The shopper's mails, one function per template: plain text and HTML from the same facts. The facts are what the
 * event recorded (and, for refunds owed, what the ledger says when the mail is written).
 */

export interface MailItem {
  name: string;
  quantity: number;
  size: string | null;
  color: string | null;
  totalPriceCents: number;
}

export interface MailStoreOrder {
  storeName: string;
  orderNumber: string;
  items: MailItem[];
  subtotalCents: number;
  shippingCents: number;
  taxCents: number;
  totalCents: number;
}

const itemLabel = (item: MailItem) =>
  `${item.quantity} × ${item.name}${[item.size, item.color].filter(Boolean).length ? ` (${[item.size, item.color].filter(Boolean).join(', ')})` : ''}`;

const itemLines = (items: MailItem[], currency: string): Line[] =>
  items.map((item) => ({ label: itemLabel(item), value: formatCents(item.totalPriceCents, currency) }));

export function orderConfirmationMail(input: {
  name: string;
  checkoutSessionId: string;
  currency: string;
  orders: MailStoreOrder[];
  totalCents: number;
  /** False when the card was only authorized (capture policy after_placement): it is charged once the orders are placed. */
  charged: boolean;
}): RenderedEmail {
  const money = (cents: number) => formatCents(cents, input.currency);
  const totalLabel = input.charged ? 'Charged to your card' : 'Reserved on your card (charged for what is placed)';
  const storeText = input.orders
    .map((order) =>
      [
        `${order.storeName} — order ${order.orderNumber}`,
        textLines([
          ...itemLines(order.items, input.currency),
          { label: 'Subtotal', value: money(order.subtotalCents) },
          { label: 'Shipping', value: money(order.shippingCents) },
          { label: 'Tax', value: money(order.taxCents) },
          { label: 'Total', value: money(order.totalCents) },
        ]),
      ].join('\n'),
    )
    .join('\n\n');
  const text = `Hello ${input.name},

thank you for your order. We are buying it from ${input.orders.length === 1 ? 'the store' : `${input.orders.length} stores`} now and will write again when it ships.

${storeText}

${totalLabel}: ${money(input.totalCents)}
Checkout reference: ${input.checkoutSessionId}
`;
  const storeHtml = input.orders
    .map(
      (
        order,
      ) => `<h2 style="font-size: 16px">${escapeHtml(order.storeName)} — order ${escapeHtml(order.orderNumber)}</h2>
${htmlLines([
  ...itemLines(order.items, input.currency),
  { label: 'Subtotal', value: money(order.subtotalCents) },
  { label: 'Shipping', value: money(order.shippingCents) },
  { label: 'Tax', value: money(order.taxCents) },
  { label: 'Total', value: money(order.totalCents) },
])}`,
    )
    .join('\n');
  const html = htmlFrame(
    'Thank you for your order',
    `<p>Hello ${escapeHtml(input.name)},</p>
<p>thank you for your order. We are buying it now and will write again when it ships.</p>
${storeHtml}
<p><strong>${escapeHtml(totalLabel)}: ${escapeHtml(money(input.totalCents))}</strong></p>
<p>Checkout reference: ${escapeHtml(input.checkoutSessionId)}</p>`,
  );
  return { subject: `Your order is confirmed (${money(input.totalCents)})`, text, html };
}

export function orderShippedMail(input: {
  name: string;
  order: MailStoreOrder;
  currency: string;
  carrier: string | null;
  trackingNumber: string | null;
  estimatedDelivery: string | null;
}): RenderedEmail {
  const facts: Line[] = [
    { label: 'Carrier', value: input.carrier ?? '—' },
    { label: 'Tracking number', value: input.trackingNumber ?? '—' },
    ...(input.estimatedDelivery ? [{ label: 'Estimated delivery', value: input.estimatedDelivery }] : []),
  ];
  const title = `Your order ${input.order.orderNumber} from ${input.order.storeName} has shipped`;
  const text = `Hello ${input.name},

${title}.

${textLines(facts)}

In this parcel:
${textLines(itemLines(input.order.items, input.currency))}
`;
  const html = htmlFrame(
    title,
    `<p>Hello ${escapeHtml(input.name)},</p>
${htmlLines(facts)}
<h2 style="font-size: 16px">In this parcel</h2>
${htmlLines(itemLines(input.order.items, input.currency))}`,
  );
  return { subject: title, text, html };
}

export function orderNotPlacedMail(input: {
  name: string;
  order: MailStoreOrder;
  currency: string;
  outcome: 'cancelled' | 'failed';
  /** What the shopper gets back for it (pending or done); 0 when the money was never taken. */
  refundCents: number;
}): RenderedEmail {
  const what = input.outcome === 'cancelled' ? 'was cancelled' : 'could not be placed';
  const title = `Your order ${input.order.orderNumber} from ${input.order.storeName} ${what}`;
  const money =
    input.refundCents > 0
      ? `We are refunding ${formatCents(input.refundCents, input.currency)} to your card; you will get a mail when it is sent.`
      : 'You have not been charged for it.';
  // No failure reason: ours are written for ops (adapter errors, who failed a task), not for the shopper.
  const text = `Hello ${input.name},

${title}. ${money}

${textLines(itemLines(input.order.items, input.currency))}
`;
  const html = htmlFrame(
    title,
    `<p>Hello ${escapeHtml(input.name)},</p>
<p>${escapeHtml(money)}</p>
${htmlLines(itemLines(input.order.items, input.currency))}`,
  );
  return { subject: title, text, html };
}

export function refundSentMail(input: {
  name: string;
  orderNumber: string;
  storeName: string;
  amountCents: number;
  currency: string;
}): RenderedEmail {
  const amount = formatCents(input.amountCents, input.currency);
  const title = `We have refunded ${amount} for order ${input.orderNumber}`;
  const text = `Hello ${input.name},

we have refunded ${amount} for your order ${input.orderNumber} from ${input.storeName}. Depending on your bank it shows on your statement within 5–10 business days.
`;
  const html = htmlFrame(
    title,
    `<p>Hello ${escapeHtml(input.name)},</p>
<p>we have refunded <strong>${escapeHtml(amount)}</strong> for your order ${escapeHtml(input.orderNumber)} from ${escapeHtml(input.storeName)}.
Depending on your bank it shows on your statement within 5–10 business days.</p>`,
  );
  return { subject: title, text, html };
}
