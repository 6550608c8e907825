// Catalog syncs from connected retailers: what changed (price changes first), the recent runs, and "Sync now" for
// a store whose retailer's catalog can be read (#/catalog?store=<slug>&kind=price_changed).

import { api, apiPage } from './api.js';
import { countText, pager, pageWindow, whileBusy } from './components.js';
import { badge, dateTime, h, humanize, money, signedMoney } from './dom.js';

const KINDS = [
  'price_changed',
  'became_unavailable',
  'became_available',
  'added',
  'delisted',
  'relisted',
  'details_changed',
];
const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
const PAGE = 100;

const catalogQuery = (store, kind, { offset = 0 } = {}) =>
  `?kind=${kind ?? 'any'}${store ? `&store=${encodeURIComponent(store)}` : ''}${offset ? `&offset=${offset}` : ''}`;

export async function renderCatalog(route, ctx) {
  const givenStore = route.query.get('store');
  const store = givenStore && SLUG.test(givenStore) ? givenStore : null;
  const givenKind = route.query.get('kind');
  const kind = givenKind === 'any' ? null : KINDS.includes(givenKind) ? givenKind : 'price_changed';
  const page = { ...pageWindow(route.query, PAGE), limit: PAGE };
  const storeFilter = store ? `&store=${encodeURIComponent(store)}` : '';
  const [stores, changes, runs] = await Promise.all([
    api('GET', '/stores'),
    apiPage(
      `/ops/catalog/changes?limit=${page.limit}&offset=${page.offset}${storeFilter}${kind ? `&kind=${kind}` : ''}`,
      'totalChanges',
    ),
    apiPage(`/ops/catalog/syncs?limit=10${storeFilter}`, 'totalRuns'),
  ]);
  return h(
    'section',
    { class: 'list-pane catalog', 'aria-labelledby': 'catalog-heading' },
    h('h2', { id: 'catalog-heading', tabindex: '-1', 'data-focus': true }, 'Catalog'),
    h(
      'p',
      { class: 'hint' },
      'Stores whose retailer’s catalog can be read are synced on a schedule: new products appear, prices and stock follow the retailer, and products it no longer sells become unavailable.',
    ),
    toolbar(stores, store, kind, ctx),
    changesTable({ ...changes, ...page }, store, kind),
    runsTable(runs),
  );
}

function toolbar(stores, store, kind, ctx) {
  const storeSelect = h(
    'select',
    { id: 'catalog-store', name: 'store' },
    h('option', { value: '', selected: store === null }, 'All stores'),
    stores.map((s) => h('option', { value: s.slug, selected: s.slug === store }, s.name)),
  );
  const kindSelect = h(
    'select',
    { id: 'catalog-kind', name: 'kind' },
    h('option', { value: 'any', selected: kind === null }, 'Any change'),
    KINDS.map((k) => h('option', { value: k, selected: k === kind }, humanize(k))),
  );
  const filter = h(
    'form',
    { class: 'inline', role: 'search', 'aria-label': 'Filter catalog changes' },
    h('label', { for: 'catalog-store' }, 'Store'),
    storeSelect,
    h('label', { for: 'catalog-kind' }, 'Change'),
    kindSelect,
    h('button', { type: 'submit', id: 'show-changes' }, 'Show'),
  );
  filter.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.go(`#/catalog${catalogQuery(storeSelect.value || null, kindSelect.value === 'any' ? null : kindSelect.value)}`);
  });

  const sync =
    store &&
    h(
      'form',
      { class: 'inline sync-now' },
      h('button', { type: 'submit', class: 'primary', id: 'sync-now' }, `Sync ${store} now`),
    );
  sync?.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const run = await whileBusy(sync, () => api('POST', `/ops/stores/${encodeURIComponent(store)}/catalog-sync`));
      const c = run.changes;
      ctx.success(
        `Synced ${run.storeName}: ${run.productsSeen} products read; ${c.priceChanged} price changes, ${c.added} new, ${c.availabilityChanged} availability changes, ${c.delisted} no longer sold.`,
      );
      ctx.refresh();
    } catch (error) {
      ctx.failure(error, `Could not sync ${store}`);
      ctx.refresh();
    }
  });
  return h(
    'div',
    { class: 'toolbar' },
    filter,
    sync,
    h('button', { type: 'button', id: 'refresh-catalog', onclick: () => ctx.refresh() }, 'Refresh'),
  );
}

function changesTable({ items: changes, total, offset, limit }, store, kind) {
  const label = kind ? `${humanize(kind)}` : 'Catalog changes';
  const range = { offset, limit, shown: changes.length, total };
  const withPrices = kind === null || kind === 'price_changed';
  const table =
    changes.length === 0
      ? h(
          'p',
          { class: 'empty' },
          `No ${kind ? humanize(kind).toLowerCase() : 'changes'}${store ? ` at ${store}` : ''} yet.`,
        )
      : h(
          'table',
          { class: 'list catalog-changes' },
          h('caption', {}, `${label}: ${countText(range)} (newest first)`),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Product', 'SKU', 'Store', 'Change', ...(withPrices ? ['Was', 'Now', 'Difference'] : []), 'When'].map(
                (t) => h('th', { scope: 'col', class: ['Was', 'Now', 'Difference'].includes(t) ? 'num' : null }, t),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            changes.map((change) =>
              h(
                'tr',
                { 'data-change-id': change.changeId, 'data-sku': change.sku },
                h('th', { scope: 'row' }, change.name),
                h('td', {}, h('code', {}, change.sku)),
                h('td', {}, change.storeName),
                h('td', {}, badge(change.kind, 'change')),
                withPrices && h('td', { class: 'num' }, money(change.oldPriceCents, change.currency)),
                withPrices && h('td', { class: 'num' }, money(change.newPriceCents, change.currency)),
                withPrices &&
                  h(
                    'td',
                    { class: 'num' },
                    change.kind === 'price_changed'
                      ? signedMoney(change.newPriceCents - change.oldPriceCents, change.currency)
                      : '—',
                  ),
                h('td', {}, dateTime(change.createdAt)),
              ),
            ),
          ),
        );
  const pages = pager({
    ...range,
    label: 'catalog changes',
    hrefFor: (at) => `#/catalog${catalogQuery(store, kind, { offset: at })}`,
  });
  return [h('h3', {}, 'What changed'), table, pages];
}

function runsTable({ items: runs, total }) {
  if (runs.length === 0)
    return [h('h3', {}, 'Recent syncs'), h('p', { class: 'empty' }, 'No catalog sync has run yet.')];
  const summary = (c) =>
    `${c.added} new · ${c.priceChanged} prices · ${c.availabilityChanged} availability · ${c.delisted} no longer sold`;
  return [
    h('h3', {}, 'Recent syncs'),
    h(
      'table',
      { class: 'list catalog-runs' },
      h('caption', {}, `The latest ${runs.length} of ${total}`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Started', 'Store', 'Trigger', 'Status', 'Products', 'Changes', 'Problem'].map((t) =>
            h('th', { scope: 'col', class: t === 'Products' ? 'num' : null }, t),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        runs.map((run) =>
          h(
            'tr',
            { 'data-run-id': run.runId },
            h('td', {}, dateTime(run.startedAt)),
            h('td', {}, run.storeName),
            h('td', {}, run.trigger === 'manual' ? `by ${run.requestedBy ?? 'someone'}` : 'schedule'),
            h('td', {}, badge(run.status)),
            h('td', { class: 'num' }, run.productsSeen),
            h('td', {}, run.status === 'succeeded' ? summary(run.changes) : '—'),
            h(
              'td',
              { class: run.error ? '' : 'none' },
              run.error ? `${run.error}${run.errorTransient ? ' (will be retried)' : ''}` : '—',
            ),
          ),
        ),
      ),
    ),
  ];
}
