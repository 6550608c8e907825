// Building the page from API data. Everything goes through text nodes and attributes: nothing from the API
// is ever parsed as HTML.

/**
 * Creates an element. `attrs` keys are attributes, except `on<Event>` (listeners) and `hidden`/`disabled`/
 * `required`… booleans, which are set only when true. Children may be strings, numbers, nodes, arrays or
 * null/false (skipped).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces everything inside `el`. */
export function replaceChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** A definition list from [term, value] pairs; pairs whose value is null, undefined or '' are left out. */
export function details(pairs, className = 'facts') {
  const shown = pairs.filter(([, value]) => value !== null && value !== undefined && value !== '');
  return h(
    'dl',
    { class: className },
    shown.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]),
  );
}

/** Display only: the API's integer cents as e.g. "$12.50". */
export function money(cents, currency = 'usd') {
  if (typeof cents !== 'number') return '—';
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency.toUpperCase()}`;
  }
}

/** "+$3.00" / "−$1.25": a difference that reads as one. */
export function signedMoney(cents, currency) {
  return `${cents > 0 ? '+' : cents < 0 ? '−' : ''}${money(Math.abs(cents), currency)}`;
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A <time> showing a local date and time. */
export function dateTime(iso) {
  if (!iso) return '—';
  return h('time', { datetime: iso }, dateTimeFormat.format(new Date(iso)));
}

/** "4 min ago", with the exact time as a tooltip. */
export function age(iso, now = Date.now()) {
  if (!iso) return '—';
  const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  const text =
    seconds < 60
      ? 'just now'
      : seconds < 3600
        ? `${Math.floor(seconds / 60)} min ago`
        : seconds < 86400
          ? `${Math.floor(seconds / 3600)} h ago`
          : `${Math.floor(seconds / 86400)} d ago`;
  return h('time', { datetime: iso, title: dateTimeFormat.format(new Date(iso)) }, text);
}

/** Only http(s) links become links: a `javascript:` product URL is shown as text, never followed. */
export function externalLink(url, text) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return text;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return text;
  return h(
    'a',
    { href: parsed.href, target: '_blank', rel: 'noopener noreferrer' },
    text,
    h('span', { class: 'visually-hidden' }, ' (opens in a new tab)'),
  );
}

/** Words for the API's snake_case values: "place_order" → "Place order". */
export function humanize(value) {
  const text = String(value ?? '').replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function badge(value, kind = 'status') {
  return h('span', { class: `badge ${kind}-${String(value).replace(/[^a-z_]/g, '')}` }, humanize(value));
}

/** Copies text; falls back to selecting it when the clipboard is not available (e.g. plain http). */
export async function copyText(text, fallbackNode) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (fallbackNode) {
      const range = document.createRange();
      range.selectNodeContents(fallbackNode);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
    return false;
  }
}
