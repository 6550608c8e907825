// Pieces shared by the task and order views.

import { copyText, externalLink, h, money } from './dom.js';

/** The items to buy: a product link, the variant, quantity and prices (cents shown as dollars). */
export function itemsTable(items, currency, { showItemStatus = false } = {}) {
  return h(
    'table',
    { class: 'items' },
    h('caption', { class: 'visually-hidden' }, 'Items'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Product'),
        h('th', { scope: 'col' }, 'SKU'),
        h('th', { scope: 'col' }, 'Size'),
        h('th', { scope: 'col' }, 'Color'),
        h('th', { scope: 'col', class: 'num' }, 'Qty'),
        h('th', { scope: 'col', class: 'num' }, 'Unit price'),
        h('th', { scope: 'col', class: 'num' }, 'Line total'),
        showItemStatus && h('th', { scope: 'col' }, 'Item status'),
      ),
    ),
    h(
      'tbody',
      {},
      items.map((item) =>
        h(
          'tr',
          {},
          h('td', {}, item.productUrl ? externalLink(item.productUrl, item.name) : item.name),
          h('td', {}, h('code', {}, item.sku)),
          h('td', { class: item.size ? '' : 'none' }, item.size ?? '—'),
          h('td', { class: item.color ? '' : 'none' }, item.color ?? '—'),
          h('td', { class: 'num' }, item.quantity),
          h('td', { class: 'num' }, money(item.unitPriceCents, currency)),
          h('td', { class: 'num' }, money(item.totalPriceCents, currency)),
          showItemStatus &&
            h('td', {}, item.status ?? '—', item.refundedQuantity ? ` (${item.refundedQuantity} refunded)` : ''),
        ),
      ),
    ),
  );
}

const ADDRESS_FIELDS = [
  ['name', 'Name'],
  ['address1', 'Address line 1'],
  ['address2', 'Address line 2'],
  ['city', 'City'],
  ['state', 'State'],
  ['zip', 'ZIP code'],
  ['country', 'Country'],
  ['phone', 'Phone'],
];

/** Lines as a retailer's checkout form asks for them. */
export function addressText(address) {
  return [
    address.name,
    address.address1,
    address.address2,
    `${address.city}, ${address.state} ${address.zip}`,
    address.country,
    address.phone,
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * The shipping address, field by field as retailer forms ask for it, each with its own copy button, plus
 * the whole address as one block to copy.
 */
export function addressBlock(address) {
  if (!address) return h('p', {}, 'No shipping address on record.');
  const status = h('p', { class: 'copy-status', role: 'status' });
  const copyButton = (label, text, node, visible = 'Copy') =>
    h(
      'button',
      {
        type: 'button',
        class: 'copy',
        'aria-label': `Copy ${label.toLowerCase()}`,
        onclick: async () => {
          status.textContent = (await copyText(text, node))
            ? `Copied the ${label.toLowerCase()}.`
            : `Selected the ${label.toLowerCase()}: press Ctrl+C to copy it.`;
        },
      },
      visible,
    );
  const rows = ADDRESS_FIELDS.filter(([key]) => address[key]).map(([key, label]) => {
    const value = h('span', { class: 'value', 'data-field': key }, address[key]);
    return [h('dt', {}, label), h('dd', {}, value, ' ', copyButton(label, String(address[key]), value))];
  });
  const whole = h('pre', { class: 'address-text', 'data-testid': 'address-text' }, addressText(address));
  return h(
    'div',
    { class: 'address' },
    h('dl', { class: 'address-fields' }, rows),
    h(
      'div',
      { class: 'address-whole' },
      whole,
      copyButton('Whole address', addressText(address), whole, 'Copy whole address'),
    ),
    status,
  );
}

/**
 * A form field with its label, an optional hint, and a slot for its error, wired with aria-describedby so
 * a screen reader reads all three.
 */
export function field({ id, label, control, hint }) {
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  control.id = id;
  control.setAttribute('aria-describedby', [hintId, errorId].filter(Boolean).join(' '));
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    hint && h('p', { class: 'hint', id: hintId }, hint),
    control,
    h('p', { class: 'field-error', id: errorId }),
  );
}

/** Shows (or clears) a field's own error message; returns whether the field is valid. */
export function setFieldError(control, message) {
  const error = document.getElementById(`${control.id}-error`);
  if (error) error.textContent = message ?? '';
  if (message) control.setAttribute('aria-invalid', 'true');
  else control.removeAttribute('aria-invalid');
  return !message;
}

/**
 * Runs a form's action with its controls disabled, so a double click cannot send it twice; the controls
 * come back when the action failed (on success the view is re-rendered anyway).
 */
export async function whileBusy(form, action) {
  const controls = [...form.querySelectorAll('button, input, select, textarea')];
  controls.forEach((control) => (control.disabled = true));
  form.setAttribute('aria-busy', 'true');
  try {
    return await action();
  } finally {
    controls.forEach((control) => (control.disabled = false));
    form.removeAttribute('aria-busy');
  }
}

/** The page of a list the route asks for: `offset` and `limit` (1–100, default 100) from the hash's query. */
export function pageWindow(query, defaultLimit = 100) {
  const whole = (name, fallback, min, max) => {
    const value = Number.parseInt(query.get(name) ?? '', 10);
    return Number.isFinite(value) ? Math.min(Math.max(value, min), max) : fallback;
  };
  return { limit: whole('limit', defaultLimit, 1, 100), offset: whole('offset', 0, 0, 1_000_000) };
}

/** "12" when the whole list is on this page, otherwise "showing 101–200 of 250". */
export function countText({ offset, shown, total }) {
  return offset === 0 && shown >= total ? String(total) : `showing ${offset + 1}–${offset + shown} of ${total}`;
}

/**
 * Links to the pages either side of this one (`hrefFor(offset)` builds each), with where this page sits in
 * the list; nothing when the whole list is on this page.
 */
export function pager({ offset, limit, shown, total, label, hrefFor }) {
  if (offset === 0 && shown >= total) return null;
  return h(
    'nav',
    { class: 'pager', 'aria-label': `Pages of ${label}` },
    h(
      'p',
      { 'data-testid': 'page-range' },
      shown === 0 ? `None past ${offset} of ${total}` : `Showing ${offset + 1}–${offset + shown} of ${total}`,
    ),
    offset > 0 && h('a', { href: hrefFor(Math.max(0, offset - limit)), rel: 'prev', class: 'page-prev' }, '← Previous'),
    offset + shown < total && h('a', { href: hrefFor(offset + limit), rel: 'next', class: 'page-next' }, 'Next →'),
  );
}
