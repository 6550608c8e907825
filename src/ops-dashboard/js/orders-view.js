// Orders by status (failed first), one order's whole story, and the two things ops do to an order: retry its
// placement and record the carrier's tracking.

import { api, apiPage, ApiError } from './api.js';
import {
  addressBlock,
  countText,
  field,
  itemsTable,
  pager,
  pageWindow,
  setFieldError,
  whileBusy,
} from './components.js';
import { badge, dateTime, details, h, humanize, money } from './dom.js';

const STATUSES = [
  'failed',
  'placing',
  'pending',
  'placed',
  'confirmed',
  'shipped',
  'delivered',
  'cancelled',
  'refunded',
  'partially_refunded',
];
const ORDER_NUMBER = /^MO-[A-Z0-9]+$/;
const PAGE = 100;
/** Where the API accepts each action; elsewhere the form is not offered. */
const RETRYABLE = ['failed', 'placing', 'pending'];
const TRACKABLE = ['placed', 'confirmed', 'partially_refunded'];

/** A list's query in the hash: its status (`any` for all), and which page when it is not the first page of the usual size. */
const listQuery = (status, { offset = 0, limit = PAGE } = {}) =>
  `?status=${status ?? 'any'}${offset ? `&offset=${offset}` : ''}${limit !== PAGE ? `&limit=${limit}` : ''}`;
const orderHash = (orderNumber, status, page) =>
  `#/orders/${encodeURIComponent(orderNumber)}${listQuery(status, page)}`;

export async function renderOrders(route, ctx) {
  const given = route.query.get('status');
  const status = given === 'any' ? null : STATUSES.includes(given) ? given : 'failed';
  const page = pageWindow(route.query, PAGE);
  const [list, opened] = await Promise.all([
    apiPage(`/ops/orders?limit=${page.limit}&offset=${page.offset}${status ? `&status=${status}` : ''}`, 'totalOrders'),
    route.id ? api('GET', `/orders/${encodeURIComponent(route.id)}`).catch((error) => ({ error })) : null,
  ]);
  return h(
    'div',
    { class: 'split' },
    h(
      'section',
      { class: 'list-pane', 'aria-labelledby': 'orders-heading' },
      orderList({ ...list, ...page }, status, route.id, ctx),
    ),
    h(
      'section',
      { class: 'detail-pane', 'aria-label': 'Order details' },
      opened === null
        ? h('p', { class: 'empty' }, 'Open an order to see its items, its history and what can be done with it.')
        : opened.error
          ? h(
              'p',
              { class: 'empty', role: 'alert' },
              `Order ${route.id} could not be loaded: ${opened.error.message} (error code: ${opened.error.code}).`,
            )
          : orderDetail(opened, status, ctx),
    ),
  );
}

function filters(status, ctx) {
  const select = h(
    'select',
    { id: 'order-status', name: 'status' },
    h('option', { value: 'any', selected: status === null }, 'Any status'),
    STATUSES.map((s) => h('option', { value: s, selected: s === status }, humanize(s))),
  );
  const filter = h(
    'form',
    { class: 'inline', role: 'search', 'aria-label': 'Filter orders' },
    h('label', { for: 'order-status' }, 'Status'),
    select,
    h('button', { type: 'submit', id: 'show-orders' }, 'Show'),
  );
  filter.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.go(`#/orders?status=${select.value}`);
  });

  const number = h('input', {
    type: 'text',
    id: 'find-order',
    name: 'orderNumber',
    placeholder: 'MO-…',
    autocomplete: 'off',
    spellcheck: 'false',
    size: '16',
  });
  const find = h(
    'form',
    { class: 'inline', role: 'search', 'aria-label': 'Find an order', novalidate: true },
    h('label', { for: 'find-order' }, 'Order number'),
    number,
    h('button', { type: 'submit' }, 'Open'),
  );
  find.addEventListener('submit', (event) => {
    event.preventDefault();
    const wanted = number.value.trim().toUpperCase();
    if (!ORDER_NUMBER.test(wanted)) {
      number.setAttribute('aria-invalid', 'true');
      ctx.failure(
        new ApiError(0, 'validation_failed', 'An order number looks like MO-7K2Q9X4M1B.'),
        'That is not an order number',
      );
      return number.focus();
    }
    ctx.go(orderHash(wanted, status));
  });
  return h(
    'div',
    { class: 'toolbar' },
    filter,
    find,
    h('button', { type: 'button', id: 'refresh-orders', onclick: () => ctx.refresh() }, 'Refresh'),
  );
}

function orderList({ items: orders, total, offset, limit }, status, selected, ctx) {
  const label = status ? `${humanize(status)} orders` : 'All orders';
  const range = { offset, limit, shown: orders.length, total };
  const table =
    orders.length === 0
      ? h(
          'p',
          { class: 'empty' },
          `No ${status ? humanize(status).toLowerCase() : ''} orders${total === 0 ? '' : ' on this page'}.`,
        )
      : h(
          'table',
          { class: 'list' },
          h(
            'caption',
            {},
            `${label}: ${countText(range)}${total > orders.length ? ' (most recently updated first)' : ''}`,
          ),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Order', 'Store', 'Method', 'Status', 'Total', 'Updated'].map((t) =>
                h('th', { scope: 'col', class: t === 'Total' ? 'num' : null }, t),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            orders.map((order) =>
              h(
                'tr',
                { class: order.orderNumber === selected ? 'selected' : null, 'data-order-number': order.orderNumber },
                h(
                  'th',
                  { scope: 'row' },
                  h(
                    'a',
                    {
                      href: orderHash(order.orderNumber, status, range),
                      id: `order-${order.orderNumber}`,
                      'aria-current': order.orderNumber === selected ? 'true' : null,
                    },
                    order.orderNumber,
                  ),
                ),
                h('td', {}, order.storeName),
                h('td', {}, order.placementMethod),
                h(
                  'td',
                  {},
                  badge(order.status),
                  order.disputes?.some((dispute) => dispute.closedAt === null)
                    ? [' ', badge('disputed', 'flag')]
                    : null,
                ),
                h('td', { class: 'num' }, money(order.totalCents, order.currency)),
                h('td', {}, dateTime(order.updatedAt)),
              ),
            ),
          ),
        );
  const pages = pager({
    ...range,
    label: label.toLowerCase(),
    hrefFor: (at) => `#/orders${listQuery(status, { offset: at, limit })}`,
  });
  return [h('h2', { id: 'orders-heading', tabindex: '-1' }, 'Orders'), filters(status, ctx), table, pages];
}

function orderDetail(order, listStatus, ctx) {
  const currency = order.currency ?? 'usd';
  return h(
    'article',
    { class: 'order', 'aria-labelledby': 'order-title' },
    h(
      'h2',
      { id: 'order-title', tabindex: '-1', 'data-focus': true },
      `Order ${order.orderNumber}`,
      ' ',
      badge(order.status),
    ),
    details([
      ['Store', `${order.storeName} (${order.storeSlug})`],
      ['Placement method', order.placementMethod],
      ['Retailer order number', order.storeOrderNumber],
      ['Failure reason', order.failureReason],
      ['Total', money(order.totalCents, currency)],
      [
        'Subtotal · shipping · tax',
        `${money(order.subtotalCents, currency)} · ${money(order.shippingCents, currency)} · ${money(order.taxCents, currency)}`,
      ],
      ['Retailer’s total', order.retailerTotalCents === null ? null : money(order.retailerTotalCents, currency)],
      ['Refunded', money(order.refundedCents, currency)],
      ['Tracking', order.trackingNumber ? `${order.carrier ?? ''} ${order.trackingNumber}`.trim() : null],
      ['Estimated delivery', order.estimatedDelivery],
      ['Placed', order.placedAt ? dateTime(order.placedAt) : null],
      ['Created', dateTime(order.createdAt)],
      ['Updated', dateTime(order.updatedAt)],
      ['Checkout session', h('code', {}, order.checkoutSessionId)],
    ]),
    actions(order, listStatus, ctx),
    disputesSection(order.disputes ?? [], currency),
    h('section', {}, h('h3', {}, 'Items'), itemsTable(order.items ?? [], currency, { showItemStatus: true })),
    h('section', {}, h('h3', {}, 'Status history'), history(order.statusHistory ?? [])),
    h('section', {}, h('h3', {}, 'Ship to'), addressBlock(order.shippingAddress)),
  );
}

/** Disputes a cardholder's bank opened on the checkout's payment that concern this order. */
function disputesSection(disputes, currency) {
  if (disputes.length === 0) return null;
  return h(
    'section',
    { 'aria-labelledby': 'order-disputes-title', 'data-testid': 'order-disputes' },
    h('h3', { id: 'order-disputes-title' }, 'Disputes'),
    disputes.map((dispute) =>
      details([
        ['Dispute', h('code', {}, dispute.disputeId)],
        ['Status', badge(dispute.status, 'dispute')],
        ['Reason', humanize(dispute.reason ?? 'unknown')],
        [
          'This order’s part',
          `${money(dispute.amountCents, currency)} of ${money(dispute.disputedCents, currency)} (${dispute.attribution === 'whole_order' ? 'the whole order' : 'spread over the checkout’s orders'})`,
        ],
        ['Opened', dateTime(dispute.openedAt)],
        ['Closed', dispute.closedAt ? dateTime(dispute.closedAt) : null],
      ]),
    ),
  );
}

function history(entries) {
  if (entries.length === 0) return h('p', { class: 'empty' }, 'No status changes recorded.');
  return h(
    'table',
    { class: 'history', 'data-testid': 'status-history' },
    h('caption', { class: 'visually-hidden' }, 'Status history, oldest first'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['When', 'From', 'To', 'Reason'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      {},
      entries.map((entry) =>
        h(
          'tr',
          {},
          h('td', {}, dateTime(entry.createdAt)),
          h('td', {}, entry.fromStatus ? humanize(entry.fromStatus) : '—'),
          h('td', {}, humanize(entry.toStatus)),
          h('td', {}, entry.reason ?? ''),
        ),
      ),
    ),
  );
}

function actions(order, listStatus, ctx) {
  // The API refuses to place again with money already given back; say so instead of offering a doomed button.
  if (order.status === 'failed' && order.refundedCents > 0) {
    return h(
      'p',
      { class: 'note', id: 'no-retry' },
      'The shopper was refunded for this order, so it cannot be placed again. They can check out again if they still want it.',
    );
  }
  const forms = [
    RETRYABLE.includes(order.status) && retryForm(order, listStatus, ctx),
    TRACKABLE.includes(order.status) && trackingForm(order, listStatus, ctx),
  ].filter(Boolean);
  return forms.length === 0 ? null : h('section', { class: 'resolve-forms', 'aria-label': 'Actions' }, forms);
}

function retryForm(order, listStatus, ctx) {
  const method = h(
    'select',
    { name: 'placementMethod' },
    h('option', { value: '' }, `Same as before (${order.placementMethod})`),
    ['api', 'headless', 'manual'].map((m) =>
      h('option', { value: m }, m === 'manual' ? 'manual (a person places it)' : m),
    ),
  );
  const form = h(
    'form',
    { class: 'resolve', 'aria-labelledby': 'retry-title' },
    h('h3', { id: 'retry-title' }, 'Retry placement'),
    field({
      id: 'retry-method',
      label: 'Placement method',
      hint: 'Manual puts it in the task list for a person. The store must be set up for the method chosen.',
      control: method,
    }),
    h('button', { type: 'submit', id: 'retry-order', class: 'primary' }, 'Retry placement'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void whileBusy(form, async () => {
      try {
        const moved = await api(
          'POST',
          `/ops/orders/${encodeURIComponent(order.orderNumber)}/retry`,
          method.value ? { placementMethod: method.value } : {},
        );
        ctx.success(
          `${order.orderNumber} is back in placement (${moved.placementMethod}); its status is now ${humanize(moved.status).toLowerCase()}.`,
        );
      } catch (error) {
        ctx.failure(error, `Could not retry ${order.orderNumber}`);
      }
      ctx.go(orderHash(order.orderNumber, listStatus));
    });
  });
  return form;
}

function trackingForm(order, listStatus, ctx) {
  const number = h('input', {
    type: 'text',
    name: 'trackingNumber',
    maxlength: '100',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const carrier = h('input', { type: 'text', name: 'carrier', maxlength: '50', autocomplete: 'off' });
  const eta = h('input', { type: 'date', name: 'estimatedDelivery' });
  const form = h(
    'form',
    { class: 'resolve', 'aria-labelledby': 'tracking-title', novalidate: true },
    h('h3', { id: 'tracking-title' }, 'Record tracking'),
    field({ id: 'tracking-number', label: 'Tracking number', control: number }),
    field({ id: 'tracking-carrier', label: 'Carrier', hint: 'e.g. UPS, USPS, FedEx', control: carrier }),
    field({ id: 'tracking-eta', label: 'Estimated delivery (optional)', control: eta }),
    h('button', { type: 'submit', id: 'record-tracking', class: 'primary' }, 'Record tracking (order is shipped)'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = { trackingNumber: number.value.trim(), carrier: carrier.value.trim() };
    const valid = [
      setFieldError(
        number,
        body.trackingNumber.length >= 3 ? null : 'Enter the tracking number (at least 3 characters).',
      ),
      setFieldError(carrier, body.carrier.length >= 2 ? null : 'Enter the carrier (at least 2 characters).'),
    ];
    if (valid.includes(false)) return (valid[0] ? carrier : number).focus();
    if (eta.value) body.estimatedDelivery = eta.value;
    void whileBusy(form, async () => {
      try {
        await api('PUT', `/orders/${encodeURIComponent(order.orderNumber)}/tracking`, body);
        ctx.success(`${order.orderNumber} is shipped: ${body.carrier} ${body.trackingNumber}.`);
      } catch (error) {
        ctx.failure(error, `Could not record tracking for ${order.orderNumber}`);
      }
      ctx.go(orderHash(order.orderNumber, listStatus));
    });
  });
  return form;
}
