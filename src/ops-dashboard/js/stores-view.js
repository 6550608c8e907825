// Store health: every store and method over the last hour, day or week, worst first, as small charts and a table;
// one store's orders over time, its recent failures (reason, step, screenshot) and the levers: pause / resume and
// switch method, each with a reason. Also the way into Bull Board (the queue), behind the same sign-in.

import { api } from './api.js';
import { field, setFieldError, whileBusy } from './components.js';
import { badge, dateTime, details, h, humanize, money } from './dom.js';
import { manualChart, seriesChart, successChart, timeChart } from './store-charts.js';
import { currentToken } from './session.js';

const WINDOWS = ['1h', '24h', '7d'];
const METHODS = ['api', 'headless', 'manual'];
const storesHash = (window, slug) => `#/stores${slug ? `/${encodeURIComponent(slug)}` : ''}?window=${window}`;
const percent = (rate) => (rate === null ? '—' : `${(rate * 100).toFixed(1)} %`);
const seconds = (value) => (value === null ? '—' : `${value} s`);

/** This view's stylesheet, added to the page once. */
function ensureStylesheet() {
  if (document.getElementById('stores-view-css')) return;
  document.head.append(h('link', { id: 'stores-view-css', rel: 'stylesheet', href: '/ops/stores-view.css' }));
}

export async function renderStores(route, ctx) {
  ensureStylesheet();
  const window = WINDOWS.includes(route.query.get('window')) ? route.query.get('window') : '24h';
  const [rows, opened] = await Promise.all([
    api('GET', `/ops/stores?window=${window}`),
    route.id
      ? api('GET', `/ops/stores/${encodeURIComponent(route.id)}?window=${window}`).catch((error) => ({ error }))
      : null,
  ]);
  return h(
    'div',
    { class: 'stores' },
    h(
      'section',
      { 'aria-labelledby': 'stores-heading' },
      header(window, ctx),
      charts(rows),
      storeTable(rows, window, route.id),
    ),
    opened &&
      h(
        'section',
        { class: 'store-detail', 'aria-label': 'Store details' },
        opened.error
          ? h(
              'p',
              { class: 'empty', role: 'alert' },
              `Store ${route.id} could not be loaded: ${opened.error.message} (error code: ${opened.error.code}).`,
            )
          : storeDetail(opened, window, ctx),
      ),
  );
}

function header(window, ctx) {
  const board = h('button', { type: 'button', id: 'open-queue-board' }, 'Open the queue board');
  board.addEventListener('click', async () => {
    try {
      const session = await fetch('/ops/queues/session', {
        method: 'POST',
        headers: { Authorization: `Bearer ${currentToken()}` },
      });
      if (!session.ok) throw new Error(`the queue board refused the sign-in (HTTP ${session.status})`);
      location.assign('/ops/queues/');
    } catch (error) {
      ctx.failure(error, 'Could not open the queue board');
    }
  });
  return h(
    'header',
    { class: 'list-header' },
    h('h2', { id: 'stores-heading', tabindex: '-1' }, 'Stores, worst first'),
    h(
      'nav',
      { class: 'windows', 'aria-label': 'Time window' },
      WINDOWS.map((w) => h('a', { href: storesHash(w), 'aria-current': w === window ? 'true' : null }, `Last ${w}`)),
    ),
    board,
  );
}

function chartFigure(id, title, drawChart, rows) {
  const canvas = h('canvas', { id, role: 'img', 'aria-label': `${title}, by store and method` });
  const figure = h('figure', { class: 'chart' }, h('figcaption', {}, title), h('div', { class: 'chart-box' }, canvas));
  figure.querySelector('.chart-box').style.height = `${Math.max(120, rows.length * 28 + 50)}px`;
  queueMicrotask(() => drawChart(canvas, rows));
  return figure;
}

function charts(rows) {
  if (rows.length === 0) return h('p', { class: 'empty' }, 'No stores yet.');
  return h(
    'div',
    { class: 'charts' },
    chartFigure('chart-success', 'Success rate', successChart, rows),
    chartFigure('chart-time', 'Time to place (p50 / p95)', timeChart, rows),
    chartFigure('chart-manual', 'Manual share', manualChart, rows),
  );
}

function storeTable(rows, window, openSlug) {
  return h(
    'table',
    { class: 'data store-table' },
    h('caption', {}, `Placement by store and method, last ${window}`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Store', 'Method', 'State', 'Orders', 'Success', 'First try', 'p50 / p95', 'Manual', 'Refunds (failed)'].map(
          (t) => h('th', { scope: 'col' }, t),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          { 'data-store': r.slug, 'data-method': r.method, class: r.slug === openSlug ? 'selected' : null },
          h('th', { scope: 'row' }, h('a', { href: storesHash(window, r.slug) }, r.name)),
          h(
            'td',
            {},
            r.method,
            r.currentMethod !== r.method ? h('span', { class: 'hint' }, ` (now ${r.currentMethod})`) : null,
          ),
          h('td', {}, r.paused && badge('paused'), ' ', r.breaker && badge(`breaker ${humanize(r.breaker)}`)),
          h('td', {}, String(r.orders)),
          h('td', { 'data-testid': 'success-rate' }, percent(r.successRate)),
          h('td', {}, percent(r.firstTrySuccessRate)),
          h('td', {}, `${seconds(r.placeSecondsP50)} / ${seconds(r.placeSecondsP95)}`),
          h('td', {}, percent(r.manualShare)),
          h('td', {}, money(r.failedRefundCents)),
        ),
      ),
    ),
  );
}

function storeDetail(detail, window, ctx) {
  const { store } = detail;
  const canvas = h('canvas', {
    id: 'chart-series',
    role: 'img',
    'aria-label': `Orders of ${store.name} over the last ${window}`,
  });
  queueMicrotask(() => seriesChart(canvas, detail.series));
  return h(
    'article',
    {},
    h('h2', { id: 'store-heading', tabindex: '-1', 'data-focus': true }, store.name),
    details([
      [
        'Placement',
        store.methodOverride ? `${store.currentMethod} (switched from ${store.configuredMethod})` : store.currentMethod,
      ],
      [
        'Paused',
        store.pause
          ? `since ${new Date(store.pause.at).toLocaleString()} by ${store.pause.by}: ${store.pause.reason ?? ''}`
          : 'no',
      ],
    ]),
    h(
      'figure',
      { class: 'chart' },
      h('figcaption', {}, `Orders, last ${window}`),
      h('div', { class: 'chart-box series' }, canvas),
    ),
    leverForms(store, ctx, window),
    failureList(detail.failures, ctx),
    h('h3', {}, 'Lever history'),
    detail.levers.length === 0
      ? h('p', { class: 'empty' }, 'No lever pulled yet.')
      : h(
          'ul',
          { class: 'history', id: 'lever-history' },
          detail.levers.map((l) =>
            h(
              'li',
              {},
              dateTime(l.createdAt),
              ' ',
              h('strong', {}, humanize(l.action)),
              l.toMethod ? ` to ${l.toMethod}` : '',
              ` by ${l.actor}: ${l.reason}`,
            ),
          ),
        ),
  );
}

function leverForms(store, ctx, window) {
  const reason = h('input', { type: 'text', name: 'reason', autocomplete: 'off', maxlength: '500' });
  const pause = h(
    'form',
    { class: 'lever', id: store.paused ? 'resume-form' : 'pause-form', novalidate: true },
    h('h3', {}, store.paused ? 'Resume' : 'Pause'),
    field({
      id: 'pause-reason',
      label: 'Reason',
      control: reason,
      hint: store.paused ? 'Waiting placements go, oldest first.' : 'New placements wait in the queue; none is lost.',
    }),
    h('button', { type: 'submit', class: 'primary' }, store.paused ? 'Resume store' : 'Pause store'),
  );
  pause.addEventListener('submit', (event) =>
    leverSubmit(event, pause, reason, ctx, window, store, async () => {
      const action = store.paused ? 'resume' : 'pause';
      const result = await api('POST', `/ops/stores/${encodeURIComponent(store.slug)}/${action}`, {
        reason: reason.value.trim(),
      });
      return store.paused
        ? `Resumed ${store.name}: ${result.releasedPlacements} waiting placements released.`
        : `Paused ${store.name}.`;
    }),
  );

  const method = h(
    'select',
    { name: 'placementMethod' },
    METHODS.map((m) => h('option', { value: m, selected: m === store.currentMethod }, m)),
  );
  const why = h('input', { type: 'text', name: 'reason', autocomplete: 'off', maxlength: '500' });
  const swap = h(
    'form',
    { class: 'lever', id: 'method-form', novalidate: true },
    h('h3', {}, 'Switch method'),
    field({ id: 'switch-method', label: 'Next placements go by', control: method }),
    field({ id: 'switch-reason', label: 'Reason', control: why }),
    h('button', { type: 'submit' }, 'Switch method'),
  );
  swap.addEventListener('submit', (event) =>
    leverSubmit(event, swap, why, ctx, window, store, async () => {
      await api('POST', `/ops/stores/${encodeURIComponent(store.slug)}/method`, {
        placementMethod: method.value,
        reason: why.value.trim(),
      });
      return `${store.name}'s next placements go by ${method.value}.`;
    }),
  );
  return h('div', { class: 'levers' }, pause, swap);
}

async function leverSubmit(event, form, reason, ctx, window, store, action) {
  event.preventDefault();
  if (
    !setFieldError(reason, reason.value.trim().length < 3 ? 'Say why, in a few words (at least 3 characters).' : null)
  )
    return reason.focus();
  try {
    const message = await whileBusy(form, action);
    ctx.success(message);
    ctx.go(storesHash(window, store.slug));
  } catch (error) {
    ctx.failure(error, 'The store was not changed');
  }
}

function failureList(failures, ctx) {
  return [
    h('h3', {}, 'Recent failures'),
    failures.length === 0
      ? h('p', { class: 'empty' }, 'No failed tries in this window.')
      : h(
          'ol',
          { class: 'failures', id: 'failures' },
          failures.map((f) => failureItem(f, ctx)),
        ),
  ];
}

function failureItem(f, ctx) {
  const shot = h('div', { class: 'screenshot' });
  const button = f.screenshot && h('button', { type: 'button', class: 'show-screenshot' }, 'Show screenshot');
  button?.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const file = await api('GET', `/ops/artifacts/${encodeURIComponent(f.screenshot)}`);
      shot.replaceChildren(
        h('img', {
          src: `data:${file.contentType};base64,${file.contentBase64}`,
          alt: `The retailer's page when ${f.orderNumber} failed`,
        }),
      );
    } catch (error) {
      ctx.failure(error, 'Could not load the screenshot');
      button.disabled = false;
    }
  });
  return h(
    'li',
    { 'data-order': f.orderNumber },
    h(
      'p',
      {},
      dateTime(f.createdAt),
      ' ',
      h('a', { href: `#/orders/${encodeURIComponent(f.orderNumber)}?status=any` }, f.orderNumber),
      ` · ${f.method} try ${f.attempt} · `,
      badge(f.outcome),
    ),
    h(
      'p',
      { class: 'reason' },
      f.errorCode ? h('code', {}, f.errorCode) : null,
      f.errorCode ? ' ' : null,
      f.message ?? 'no message',
      f.step ? ` (at step ${f.step})` : '',
    ),
    button,
    shot,
  );
}
