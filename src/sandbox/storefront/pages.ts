import type {
  DemoAddress,
  DemoOrder,
  DemoOrderLine,
  DemoProductInput,
  DemoTotals,
  StorefrontVariant,
} from './store-state';

/**
 * Server-rendered pages of the demo shop. Elements a recipe reads or drives carry stable ids or `data-*`
 * attributes; everything else is free to look like a shop.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (value: unknown): string => String(value ?? '').replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);

/** Integer cents to "$1,234.56" without floats. */
export function formatDollars(cents: number): string {
  const dollars = Math.trunc(cents / 100).toLocaleString('en-US');
  return `$${dollars}.${String(cents % 100).padStart(2, '0')}`;
}

export function layout(storeName: string, title: string, body: string, signedInAs?: string): string {
  const account = signedInAs
    ? `<span data-signed-in-as="${escapeHtml(signedInAs)}">Hi, ${escapeHtml(signedInAs)}</span> · <a href="/account/orders">Orders</a>`
    : `<a href="/login">Sign in</a>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · ${escapeHtml(storeName)}</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 760px; padding: 0 16px; color: #222; }
  header { display: flex; justify-content: space-between; align-items: center; border-bottom: 1px solid #ddd; padding: 12px 0; }
  label { display: block; margin: 8px 0 2px; } input, select { padding: 6px; min-width: 240px; }
  button { margin-top: 12px; padding: 8px 16px; } .error { color: #b00020; } table { border-collapse: collapse; width: 100%; }
  td, th { border-bottom: 1px solid #eee; padding: 6px; text-align: left; }
</style></head>
<body><header><a href="/"><strong>${escapeHtml(storeName)}</strong></a><nav>${account} · <a href="/cart">Cart</a></nav></header>
<main>${body}</main></body></html>`;
}

const errorBlock = (key: string, message: string | undefined): string =>
  message ? `<p class="error" data-error="${escapeHtml(key)}" role="alert">${escapeHtml(message)}</p>` : '';

export const homePage = (products: DemoProductInput[]): string =>
  `<h1>Shop</h1><ul>${products
    .map(
      (p) =>
        `<li><a href="/products/${encodeURIComponent(p.sku)}">${escapeHtml(p.name)}</a> ${formatDollars(p.priceCents)}</li>`,
    )
    .join('')}</ul>`;

export const loginPage = (next: string, error?: string): string => `<h1>Sign in</h1>${errorBlock('login', error)}
<form method="post" action="/login" id="login-form">
  <input type="hidden" name="next" value="${escapeHtml(next)}">
  <label for="username">Email or username</label><input id="username" name="username" autocomplete="username">
  <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password">
  <button id="sign-in" type="submit">Sign in</button>
</form>`;

function optionsFor(id: string, label: string, values: string[] | undefined): string {
  if (!values?.length) return '';
  const options = values.map((v) => `<option value="${escapeHtml(v)}">${escapeHtml(v)}</option>`).join('');
  return `<label for="${id}">${label}</label><select id="${id}" name="${id}"><option value="">Choose…</option>${options}</select>`;
}

export function productPage(product: DemoProductInput, unitsAvailable: number, error?: string): string {
  const head = `<h1 data-product-sku="${escapeHtml(product.sku)}">${escapeHtml(product.name)}</h1>
<p data-price-cents="${product.priceCents}">${formatDollars(product.priceCents)}</p>${errorBlock('cart', error)}`;
  if (unitsAvailable <= 0) return `${head}<p class="error" data-stock-status="out-of-stock">Out of stock</p>`;
  return `${head}<p data-stock-status="in-stock">In stock</p>
<form method="post" action="/cart/items" id="add-to-cart-form">
  <input type="hidden" name="sku" value="${escapeHtml(product.sku)}">
  ${optionsFor('size', 'Size', product.sizes)}
  ${optionsFor('color', 'Color', product.colors)}
  <label for="quantity">Quantity</label><input id="quantity" name="quantity" type="number" min="1" value="1">
  <button id="add-to-cart" type="submit">Add to cart</button>
</form>`;
}

const variantText = (line: DemoOrderLine): string =>
  [line.size, line.color].filter(Boolean).map(escapeHtml).join(' / ');

function linesTable(lines: DemoOrderLine[]): string {
  const rows = lines
    .map(
      (line) => `<tr data-line-item data-sku="${escapeHtml(line.sku)}">
  <td data-line-name>${escapeHtml(line.name)}</td><td data-line-variant>${variantText(line)}</td>
  <td data-line-quantity>${line.quantity}</td><td data-line-total>${formatDollars(line.lineTotalCents)}</td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th>Item</th><th>Options</th><th>Qty</th><th>Price</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function totalsBlock(totals: DemoTotals): string {
  return `<dl data-order-totals>
  <dt>Subtotal</dt><dd data-subtotal>${formatDollars(totals.subtotalCents)}</dd>
  <dt>Tax</dt><dd data-tax>${formatDollars(totals.taxCents)}</dd>
  <dt>Shipping</dt><dd data-shipping>${formatDollars(totals.shippingCents)}</dd>
  <dt>Total</dt><dd data-total>${formatDollars(totals.totalCents)}</dd>
</dl>`;
}

export function cartPage(lines: DemoOrderLine[], totals: DemoTotals): string {
  if (lines.length === 0) return `<h1>Your cart</h1><p data-cart-empty>Your cart is empty.</p>`;
  return `<h1>Your cart</h1>${linesTable(lines)}${totalsBlock(totals)}<a id="checkout" href="/checkout">Checkout</a>`;
}

const ADDRESS_FIELDS: [keyof DemoAddress, string][] = [
  ['name', 'Full name'],
  ['address1', 'Address line 1'],
  ['address2', 'Address line 2 (optional)'],
  ['city', 'City'],
  ['state', 'State'],
  ['zip', 'ZIP code'],
  ['phone', 'Phone'],
];

export type CheckoutForm = Partial<Record<keyof DemoAddress | 'reference', string>>;

export function checkoutPage(form: CheckoutForm, errors: Record<string, string>): string {
  const field = (id: string, label: string, value = '', type = 'text') =>
    `<label for="${id}">${label}</label><input id="${id}" name="${id}" type="${type}" value="${escapeHtml(value)}">${errorBlock(id, errors[id])}`;
  return `<h1>Checkout</h1>${errorBlock('address', errors.address)}
<form method="post" action="/checkout" id="checkout-form">
  <fieldset><legend>Shipping address</legend>${ADDRESS_FIELDS.map(([id, label]) => field(id, label, form[id])).join('\n')}</fieldset>
  <fieldset><legend>Payment</legend>
    ${field('card-number', 'Card number', '', 'tel')}${field('card-expiry', 'Expiry (MM/YY)')}${field('card-cvc', 'CVC', '', 'password')}
  </fieldset>
  ${field('order-reference', 'Order reference / note', form.reference)}
  <button id="continue-to-review" type="submit">Review order</button>
</form>`;
}

export function reviewPage(
  lines: DemoOrderLine[],
  totals: DemoTotals,
  address: DemoAddress,
  reference: string,
  variant: StorefrontVariant,
  outOfStock: string[],
): string {
  const button =
    variant === 'changed-button'
      ? `<button id="submit-order-v2" class="cta" type="submit">Complete purchase</button>`
      : `<button id="place-order" type="submit">Place order</button>`;
  const stockErrors = outOfStock.map((name) => errorBlock('out-of-stock', `${name} is no longer available.`)).join('');
  return `<h1>Review your order</h1>${stockErrors}${linesTable(lines)}${totalsBlock(totals)}
<section data-ship-to><h2>Ship to</h2><p>${escapeHtml(address.name)}<br>${escapeHtml(address.address1)} ${escapeHtml(address.address2 ?? '')}<br>
${escapeHtml(address.city)}, ${escapeHtml(address.state)} ${escapeHtml(address.zip)}</p></section>
<p>Reference: <span data-order-reference>${escapeHtml(reference)}</span></p>
${outOfStock.length ? '' : `<form method="post" action="/checkout/place" id="place-order-form">${button}</form>`}`;
}

export function confirmationPage(order: DemoOrder): string {
  return `<h1 data-order-status="confirmed">Order confirmed</h1>
<p>Thank you! Your order number is <strong data-confirmation-number>${escapeHtml(order.confirmationNumber)}</strong>.</p>
<p>Reference: <span data-order-reference>${escapeHtml(order.reference)}</span></p>${linesTable(order.items)}${totalsBlock(order)}`;
}

export function orderHistoryPage(orders: DemoOrder[], page: number, hasNext: boolean, reference?: string): string {
  const rows = orders
    .map(
      (order) => `<tr data-order-row data-order-reference="${escapeHtml(order.reference)}">
  <td><a data-confirmation-number href="/orders/${escapeHtml(order.confirmationNumber)}">${escapeHtml(order.confirmationNumber)}</a></td>
  <td data-reference>${escapeHtml(order.reference)}</td><td>${escapeHtml(order.placedAt.slice(0, 10))}</td><td data-total>${formatDollars(order.totalCents)}</td></tr>`,
    )
    .join('');
  const query = reference ? `&reference=${encodeURIComponent(reference)}` : '';
  const pager = [
    page > 1 ? `<a rel="prev" href="/account/orders?page=${page - 1}${query}">Newer</a>` : '',
    hasNext ? `<a rel="next" href="/account/orders?page=${page + 1}${query}">Older</a>` : '',
  ].join(' ');
  return `<h1>Your orders</h1>
<form method="get" action="/account/orders"><label for="reference">Find by reference</label>
<input id="reference" name="reference" value="${escapeHtml(reference ?? '')}"><button type="submit">Search</button></form>
<table data-order-history data-page="${page}"><thead><tr><th>Order</th><th>Reference</th><th>Date</th><th>Total</th></tr></thead>
<tbody>${rows}</tbody></table>${orders.length === 0 ? '<p data-no-orders>No orders found.</p>' : ''}<nav>${pager}</nav>`;
}

export const messagePage = (title: string, message: string, key = 'page'): string =>
  `<h1>${escapeHtml(title)}</h1>${errorBlock(key, message)}`;
