// Events out: the shopping app's webhook endpoints with each one's deliveries (status, tries, last answer, next
// try), a Redeliver button per delivery and Enable for an endpoint disabled for failing; and the mails to shoppers
// (without SMTP they are kept here, so a development machine shows what would have been sent).

import { api, apiPage } from './api.js';
import { countText } from './components.js';
import { badge, dateTime, details, h } from './dom.js';

const PAGE = 100;
const DELIVERY_STATUSES = ['pending', 'failed', 'succeeded'];

export async function renderWebhooks(route, ctx) {
  const given = route.query.get('status');
  const status = DELIVERY_STATUSES.includes(given) ? given : null;
  const [endpoints, deliveries, mails] = await Promise.all([
    api('GET', '/ops/webhook-endpoints'),
    route.id
      ? apiPage(
          `/ops/webhook-endpoints/${encodeURIComponent(route.id)}/deliveries?limit=${PAGE}${status ? `&status=${status}` : ''}`,
          'totalDeliveries',
        ).catch((error) => ({ error }))
      : null,
    apiPage('/ops/emails?limit=20', 'totalEmails'),
  ]);
  const opened = endpoints.find((endpoint) => endpoint.endpointId === route.id);
  return h(
    'div',
    { class: 'split' },
    h(
      'section',
      { class: 'list-pane', 'aria-labelledby': 'webhooks-heading' },
      endpointList(endpoints, route.id),
      mailList(mails),
    ),
    h(
      'section',
      { class: 'detail-pane', 'aria-label': 'Endpoint deliveries' },
      !route.id
        ? h('p', { class: 'empty' }, 'Open an endpoint to see its deliveries and send one again.')
        : !opened || deliveries.error
          ? h(
              'p',
              { class: 'empty', role: 'alert' },
              `Endpoint ${route.id} could not be loaded${deliveries?.error ? `: ${deliveries.error.message} (error code: ${deliveries.error.code})` : ''}.`,
            )
          : endpointDetail(opened, deliveries, status, ctx),
    ),
  );
}

function endpointList(endpoints, selected) {
  const disabled = endpoints.filter((endpoint) => endpoint.status === 'disabled');
  return [
    h('h2', { id: 'webhooks-heading', tabindex: '-1' }, 'Webhook endpoints'),
    disabled.length > 0 &&
      h(
        'div',
        { class: 'notice error', role: 'alert', 'data-testid': 'disabled-endpoints' },
        h(
          'p',
          {},
          h(
            'strong',
            {},
            `${disabled.length} endpoint${disabled.length === 1 ? ' is' : 's are'} disabled for failing. `,
          ),
          'Events for them wait; fix the receiver, then Enable.',
        ),
        h(
          'ul',
          {},
          disabled.map((endpoint) => h('li', {}, `${endpoint.url}: ${endpoint.disabledReason ?? 'disabled'}`)),
        ),
      ),
    endpoints.length === 0
      ? h('p', { class: 'empty' }, 'No endpoints. An admin registers them with POST /api/v1/admin/webhook-endpoints.')
      : h(
          'table',
          { class: 'list' },
          h('caption', {}, `${endpoints.length} endpoint${endpoints.length === 1 ? '' : 's'}`),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['URL', 'Status', 'Pending', 'Failed', 'Delivered', 'Failing since'].map((t) =>
                h('th', { scope: 'col' }, t),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            endpoints.map((endpoint) =>
              h(
                'tr',
                {
                  class: endpoint.endpointId === selected ? 'selected' : null,
                  'data-endpoint-id': endpoint.endpointId,
                },
                h(
                  'th',
                  { scope: 'row' },
                  h(
                    'a',
                    {
                      href: `#/webhooks/${encodeURIComponent(endpoint.endpointId)}`,
                      'aria-current': endpoint.endpointId === selected ? 'true' : null,
                    },
                    endpoint.url,
                  ),
                ),
                h('td', {}, badge(endpoint.status)),
                h('td', { class: 'num' }, endpoint.deliveries.pending),
                h('td', { class: 'num' }, endpoint.deliveries.failed),
                h('td', { class: 'num' }, endpoint.deliveries.succeeded),
                h('td', {}, endpoint.failingSince ? dateTime(endpoint.failingSince) : '—'),
              ),
            ),
          ),
        ),
  ];
}

function endpointDetail(endpoint, { items: deliveries, total }, status, ctx) {
  const here = `#/webhooks/${encodeURIComponent(endpoint.endpointId)}${status ? `?status=${status}` : ''}`;
  const enable = async (event) => {
    event.target.disabled = true;
    try {
      await api('POST', `/ops/webhook-endpoints/${encodeURIComponent(endpoint.endpointId)}/enable`);
      ctx.success(`Endpoint ${endpoint.url} is enabled again; what waited for it is being sent.`);
      ctx.go(here);
    } catch (error) {
      event.target.disabled = false;
      ctx.failure(error, 'Could not enable the endpoint');
    }
  };
  const redeliver = (delivery) => async (event) => {
    event.target.disabled = true;
    try {
      await api('POST', `/ops/webhook-deliveries/${encodeURIComponent(delivery.deliveryId)}/redeliver`);
      ctx.success(`Event ${delivery.eventId} (${delivery.eventType}) is being sent again.`);
      ctx.go(here);
    } catch (error) {
      event.target.disabled = false;
      ctx.failure(error, 'Could not redeliver');
    }
  };
  const filter = h(
    'nav',
    { class: 'toolbar', 'aria-label': 'Filter deliveries' },
    [null, ...DELIVERY_STATUSES].map((s) =>
      h(
        'a',
        {
          href: `#/webhooks/${encodeURIComponent(endpoint.endpointId)}${s ? `?status=${s}` : ''}`,
          'aria-current': s === status ? 'true' : null,
        },
        s ?? 'all',
      ),
    ),
    h('button', { type: 'button', id: 'refresh-deliveries', onclick: () => ctx.refresh() }, 'Refresh'),
  );
  return h(
    'article',
    { 'aria-labelledby': 'endpoint-title' },
    h('h2', { id: 'endpoint-title', tabindex: '-1', 'data-focus': true }, endpoint.url, ' ', badge(endpoint.status)),
    details([
      ['Events', endpoint.events.join(', ')],
      ['Description', endpoint.description],
      ['Disabled because', endpoint.disabledReason],
      ['Failing since', endpoint.failingSince ? dateTime(endpoint.failingSince) : null],
      ['Old secret signs until', endpoint.previousSecretExpiresAt ? dateTime(endpoint.previousSecretExpiresAt) : null],
    ]),
    endpoint.status === 'disabled' &&
      h('button', { type: 'button', class: 'primary', id: 'enable-endpoint', onclick: enable }, 'Enable'),
    filter,
    deliveries.length === 0
      ? h('p', { class: 'empty' }, 'No deliveries.')
      : h(
          'table',
          { class: 'list', 'data-testid': 'deliveries' },
          h('caption', {}, `Deliveries, newest first: ${countText({ offset: 0, shown: deliveries.length, total })}`),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Event', 'Order', 'Status', 'Tries', 'Last answer', 'Last try', 'Next try', ''].map((t) =>
                h('th', { scope: 'col' }, t),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            deliveries.map((delivery) =>
              h(
                'tr',
                { 'data-delivery-id': delivery.deliveryId },
                h('th', { scope: 'row' }, delivery.eventType, h('br'), h('code', {}, delivery.eventId)),
                h('td', {}, delivery.orderNumber ?? delivery.checkoutSessionId),
                h('td', {}, badge(delivery.status)),
                h('td', { class: 'num' }, delivery.attempts),
                h('td', {}, delivery.lastError ?? (delivery.lastStatusCode ? `HTTP ${delivery.lastStatusCode}` : '—')),
                h('td', {}, delivery.lastAttemptAt ? dateTime(delivery.lastAttemptAt) : '—'),
                h('td', {}, delivery.nextAttemptAt ? dateTime(delivery.nextAttemptAt) : '—'),
                h(
                  'td',
                  {},
                  h(
                    'button',
                    {
                      type: 'button',
                      onclick: redeliver(delivery),
                      'aria-label': `Redeliver ${delivery.eventType} ${delivery.eventId}`,
                    },
                    'Redeliver',
                  ),
                ),
              ),
            ),
          ),
        ),
  );
}

function mailList({ items: mails, total }) {
  return h(
    'section',
    { 'aria-labelledby': 'mails-heading' },
    h('h2', { id: 'mails-heading' }, 'Mails to shoppers'),
    mails.length === 0
      ? h('p', { class: 'empty' }, 'No mails yet.')
      : [
          h(
            'p',
            {},
            `The newest ${mails.length} of ${total}. “kept” mails were not sent: the service runs without SMTP_URL.`,
          ),
          h(
            'ul',
            { class: 'mails', 'data-testid': 'mails' },
            mails.map((mail) =>
              h(
                'li',
                {},
                h(
                  'details',
                  {},
                  h(
                    'summary',
                    {},
                    badge(mail.status),
                    ' ',
                    mail.subject,
                    ' → ',
                    mail.to,
                    ' · ',
                    dateTime(mail.createdAt),
                  ),
                  mail.lastError && h('p', {}, `Last error: ${mail.lastError}`),
                  h('pre', { class: 'mail-text' }, mail.text),
                ),
              ),
            ),
          ),
        ],
  );
}
