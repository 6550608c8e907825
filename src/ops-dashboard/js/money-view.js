// Money that moved outside the service: disputes still open, and reconciliation with Stripe (each run, and the
// differences one found). Reading only: a person decides what a difference means.

import { api, apiPage } from './api.js';
import { badge, dateTime, h, humanize, money } from './dom.js';

const RUN_ID = /^[0-9]+$/;

export async function renderMoney(route) {
  const [disputed, runs] = await Promise.all([
    apiPage('/ops/orders?disputed=open&limit=100', 'totalOrders'),
    apiPage('/ops/reconciliation?limit=20', 'totalRuns'),
  ]);
  const chosen =
    route.id && RUN_ID.test(route.id) ? route.id : runs.items.find((run) => run.status === 'finished')?.runId;
  const opened = chosen ? await api('GET', `/ops/reconciliation/${chosen}`).catch((error) => ({ error })) : null;
  return h(
    'div',
    { class: 'money' },
    h('h2', { id: 'money-heading', tabindex: '-1', 'data-focus': true }, 'Money'),
    h(
      'section',
      { 'aria-labelledby': 'disputes-heading' },
      h('h3', { id: 'disputes-heading' }, 'Open disputes'),
      disputesTable(disputed),
    ),
    h(
      'section',
      { 'aria-labelledby': 'runs-heading' },
      h('h3', { id: 'runs-heading' }, 'Reconciliation with Stripe'),
      h(
        'p',
        { class: 'hint' },
        'Every day, yesterday’s Stripe payments and refunds are compared with the ledger (or on demand: npm run reconcile -- --since 2026-12-01). Nothing is changed: each difference is for a person to look into.',
      ),
      runsTable(runs, chosen),
      opened === null
        ? null
        : opened.error
          ? h('p', { role: 'alert' }, `Run ${chosen} could not be loaded: ${opened.error.message}`)
          : driftReport(opened),
    ),
  );
}

function disputesTable({ items: orders, total }) {
  const rows = orders.flatMap((order) =>
    order.disputes.filter((dispute) => dispute.closedAt === null).map((dispute) => ({ order, dispute })),
  );
  if (rows.length === 0) return h('p', { class: 'empty', id: 'no-open-disputes' }, 'No open disputes.');
  return h(
    'table',
    { class: 'list', 'data-testid': 'open-disputes' },
    h('caption', {}, `${total} ${total === 1 ? 'order' : 'orders'} with an open dispute`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Order', 'Store', 'Dispute', 'Status', 'Reason', 'This order’s part', 'Opened'].map((t) =>
          h('th', { scope: 'col' }, t),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map(({ order, dispute }) =>
        h(
          'tr',
          { 'data-dispute-id': dispute.disputeId },
          h(
            'th',
            { scope: 'row' },
            h('a', { href: `#/orders/${encodeURIComponent(order.orderNumber)}?status=any` }, order.orderNumber),
          ),
          h('td', {}, order.storeName),
          h('td', {}, h('code', {}, dispute.disputeId)),
          h('td', {}, badge(dispute.status, 'dispute')),
          h('td', {}, humanize(dispute.reason ?? 'unknown')),
          h(
            'td',
            { class: 'num' },
            `${money(dispute.amountCents, dispute.currency)} of ${money(dispute.disputedCents, dispute.currency)}`,
          ),
          h('td', {}, dateTime(dispute.openedAt)),
        ),
      ),
    ),
  );
}

function runsTable({ items: runs }, chosen) {
  if (runs.length === 0) return h('p', { class: 'empty' }, 'No reconciliation has run yet.');
  return h(
    'table',
    { class: 'list', 'data-testid': 'reconciliation-runs' },
    h('caption', { class: 'visually-hidden' }, 'Reconciliation runs, newest first'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Period (UTC)', 'How', 'Status', 'Differences', 'Finished'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      {},
      runs.map((run) =>
        h(
          'tr',
          { class: run.runId === chosen ? 'selected' : null, 'data-run-id': run.runId },
          h(
            'th',
            { scope: 'row' },
            h(
              'a',
              { href: `#/money/${run.runId}` },
              `${run.periodStart.slice(0, 16).replace('T', ' ')} → ${run.periodEnd.slice(0, 16).replace('T', ' ')}`,
            ),
          ),
          h('td', {}, humanize(run.trigger)),
          h('td', {}, badge(run.status)),
          h('td', { class: 'num' }, run.driftCount === null ? '—' : String(run.driftCount)),
          h('td', {}, run.finishedAt ? dateTime(run.finishedAt) : '—'),
        ),
      ),
    ),
  );
}

function driftReport(run) {
  const report = run.report;
  if (!report)
    return h(
      'p',
      { class: 'empty' },
      run.error ? `Run ${run.runId} failed: ${run.error}` : `Run ${run.runId} is still running.`,
    );
  const summary =
    `Stripe: ${report.stripe.paymentIntents} payments, ${report.stripe.refunds} refunds. ` +
    (report.driftCount === 0
      ? 'The ledger matches Stripe.'
      : `${report.driftCount} ${report.driftCount === 1 ? 'difference' : 'differences'}.`);
  return h(
    'section',
    { 'aria-labelledby': 'drift-heading', 'data-testid': 'drift-report' },
    h('h4', { id: 'drift-heading' }, `Run ${run.runId}`),
    h('p', {}, summary),
    report.driftCount === 0
      ? null
      : h(
          'table',
          { class: 'list' },
          h('caption', { class: 'visually-hidden' }, 'Differences between Stripe and the ledger'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Kind', 'Payment / refund', 'Checkout', 'What differs'].map((t) => h('th', { scope: 'col' }, t)),
            ),
          ),
          h(
            'tbody',
            {},
            report.drift.map((drift) =>
              h(
                'tr',
                { 'data-drift-kind': drift.kind },
                h('td', {}, humanize(drift.kind)),
                h('td', {}, h('code', {}, drift.refundId ?? drift.paymentIntentId ?? '—')),
                h('td', {}, drift.checkoutSessionId ? h('code', {}, drift.checkoutSessionId) : '—'),
                h(
                  'td',
                  {},
                  drift.message,
                  drift.orders
                    ? ` (${drift.orders.map((o) => `${o.orderNumber}: took ${o.takenCents}, refunded ${o.refundedCents}`).join('; ')})`
                    : '',
                ),
              ),
            ),
          ),
        ),
    report.truncated ? h('p', { class: 'note' }, `Only the first ${report.drift.length} are listed.`) : null,
  );
}
