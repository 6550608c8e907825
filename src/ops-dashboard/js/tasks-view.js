// The task queue: tabs per status, a table of tasks, and the opened task with everything a person needs to
// place (or cancel) the order by hand, plus Claim, Complete and Fail.

import { api, apiPage } from './api.js';
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
import { age, badge, details, h, humanize, money, signedMoney } from './dom.js';

const STATUSES = ['open', 'claimed', 'done', 'failed', 'cancelled'];
const PAGE = 100;

const KIND_TITLES = { place_order: 'Place order', price_review: 'Price review', cancel_order: 'Cancel order' };
/** A list's query in the hash: its status, and which page when it is not the first page of the usual size. */
const listQuery = (status, { offset = 0, limit = PAGE } = {}) =>
  `?status=${status}${offset ? `&offset=${offset}` : ''}${limit !== PAGE ? `&limit=${limit}` : ''}`;
const taskHash = (taskId, status, page) => `#/tasks/${encodeURIComponent(taskId)}${listQuery(status, page)}`;
const storeName = (task) => task.payload?.store?.name ?? task.payload?.store?.slug ?? '—';

export async function renderTasks(route, ctx) {
  const status = STATUSES.includes(route.query.get('status')) ? route.query.get('status') : 'open';
  const page = pageWindow(route.query, PAGE);
  const [list, opened] = await Promise.all([
    apiPage(`/ops/tasks?status=${status}&limit=${page.limit}&offset=${page.offset}`, 'totalTasks'),
    route.id ? api('GET', `/ops/tasks/${encodeURIComponent(route.id)}`).catch((error) => ({ error })) : null,
  ]);
  return h(
    'div',
    { class: 'split' },
    h(
      'section',
      { class: 'list-pane', 'aria-labelledby': 'tasks-heading' },
      taskList({ ...list, ...page }, status, route.id, ctx),
    ),
    h(
      'section',
      { class: 'detail-pane', 'aria-label': 'Task details' },
      opened === null
        ? h('p', { class: 'empty' }, 'Open a task to see what to buy, where to ship it, and what to do next.')
        : opened.error
          ? h(
              'p',
              { class: 'empty', role: 'alert' },
              `Task ${route.id} could not be loaded: ${opened.error.message} (error code: ${opened.error.code}).`,
            )
          : taskDetail(opened, status, ctx),
    ),
  );
}

function taskList({ items: tasks, total, offset, limit }, status, selectedId, ctx) {
  const tabs = h(
    'nav',
    { class: 'tabs', 'aria-label': 'Task status' },
    h(
      'ul',
      {},
      STATUSES.map((s) =>
        h(
          'li',
          {},
          h(
            'a',
            { href: `#/tasks${listQuery(s, { limit })}`, id: `tab-${s}`, 'aria-current': s === status ? 'page' : null },
            humanize(s),
          ),
        ),
      ),
    ),
  );
  const toolbar = h(
    'div',
    { class: 'toolbar' },
    h('button', { type: 'button', id: 'refresh-tasks', onclick: () => ctx.refresh() }, 'Refresh'),
  );
  const now = Date.now();
  const range = { offset, limit, shown: tasks.length, total };
  const table =
    tasks.length === 0
      ? h('p', { class: 'empty' }, total === 0 ? `No ${status} tasks.` : `No ${status} tasks on this page.`)
      : h(
          'table',
          { class: 'list' },
          h(
            'caption',
            {},
            `${humanize(status)} tasks: ${countText(range)}${total > tasks.length ? ' (the oldest first)' : ''}`,
          ),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Order', 'Kind', 'Store', 'Age', 'Claimed by'].map((title) => h('th', { scope: 'col' }, title)),
            ),
          ),
          h(
            'tbody',
            {},
            tasks.map((task) =>
              h(
                'tr',
                { class: task.taskId === selectedId ? 'selected' : null, 'data-task-id': task.taskId },
                h(
                  'th',
                  { scope: 'row' },
                  h(
                    'a',
                    {
                      href: taskHash(task.taskId, status, range),
                      id: `task-${task.taskId}`,
                      'aria-current': task.taskId === selectedId ? 'true' : null,
                    },
                    task.orderNumber,
                  ),
                ),
                h('td', {}, badge(task.kind, 'kind')),
                h('td', {}, storeName(task)),
                h('td', {}, age(task.createdAt, now)),
                h('td', {}, task.claimedBy ?? h('span', { class: 'none' }, 'nobody')),
              ),
            ),
          ),
        );
  const pages = pager({
    ...range,
    label: `${status} tasks`,
    hrefFor: (at) => `#/tasks${listQuery(status, { offset: at, limit })}`,
  });
  return [h('h2', { id: 'tasks-heading', tabindex: '-1' }, 'Tasks'), tabs, toolbar, table, pages];
}

function taskDetail(task, listStatus, ctx) {
  const payload = task.payload ?? {};
  const totals = payload.totals;
  const currency = totals?.currency ?? 'usd';
  const title = `${KIND_TITLES[task.kind] ?? humanize(task.kind)} ${task.orderNumber}`;
  return h(
    'article',
    { class: 'task', 'aria-labelledby': 'task-title' },
    h('h2', { id: 'task-title', tabindex: '-1', 'data-focus': true }, title, ' ', badge(task.status)),
    details([
      ['Store', storeName(task)],
      ['Our order number', h('code', {}, task.orderNumber)],
      ['Task', h('code', {}, task.taskId)],
      ['Created', age(task.createdAt)],
      ['Claimed by', task.claimedBy ? [task.claimedBy, ' (', age(task.claimedAt), ')'] : 'nobody yet'],
      ['Resolved by', task.resolvedBy],
      ['Retailer order number', task.storeOrderNumber ?? payload.storeOrderNumber ?? null],
      ['Failure reason', task.failureReason],
    ]),
    claimArea(task, listStatus, ctx),
    payload.priceReview && priceReview(payload.priceReview, currency),
    payload.instructions &&
      h('section', { class: 'instructions' }, h('h3', {}, 'Instructions'), h('p', {}, payload.instructions)),
    Array.isArray(payload.items) &&
      h('section', {}, h('h3', {}, `Items to buy at ${storeName(task)}`), itemsTable(payload.items, currency)),
    payload.shippingAddress && h('section', {}, h('h3', {}, 'Ship to'), addressBlock(payload.shippingAddress)),
    totals &&
      h(
        'section',
        {},
        h('h3', {}, 'Totals the shopper paid'),
        details(
          [
            ['Subtotal', money(totals.subtotalCents, currency)],
            ['Shipping', money(totals.shippingCents, currency)],
            ['Tax', money(totals.taxCents, currency)],
            ['Total (pay no more than this)', h('strong', {}, money(totals.totalCents, currency))],
          ],
          'facts totals',
        ),
      ),
    resolveForms(task, ctx),
  );
}

function priceReview(review, currency) {
  return h(
    'section',
    { class: 'price-review', 'aria-labelledby': 'price-review-title' },
    h('h3', { id: 'price-review-title' }, 'Price review'),
    details([
      ['The shopper paid', money(review.expectedTotalCents, currency)],
      ['The retailer asks', money(review.retailerTotalCents, currency)],
      ['Difference', h('strong', {}, signedMoney(review.differenceCents, currency))],
    ]),
  );
}

/** Whether this person may complete or fail the task: it is open, or it is claimed by them (or they are admin). */
const mayResolve = (task, user) =>
  task.status === 'open' || (task.status === 'claimed' && (task.claimedBy === user.userId || user.role === 'admin'));

function claimArea(task, listStatus, ctx) {
  const mine = task.claimedBy === ctx.user.userId;
  if (task.status === 'claimed' && !mine && ctx.user.role !== 'admin') {
    return h(
      'p',
      { class: 'note' },
      `${task.claimedBy} is working on this task; only they (or an admin) can complete, fail or release it.`,
    );
  }
  if (task.status === 'claimed') {
    return h(
      'div',
      {},
      h(
        'p',
        { class: 'note' },
        mine
          ? 'You have claimed this task: place the order, then complete it below.'
          : `${task.claimedBy} claimed this task.`,
      ),
      taskActionForm(task, ctx, {
        action: 'release',
        label: 'Release',
        hint: ' to give it back to the queue for someone else.',
        done: `The task for ${task.orderNumber} is open again.`,
        nextStatus: 'open',
      }),
    );
  }
  if (task.status !== 'open') return null;
  return taskActionForm(task, ctx, {
    action: 'claim',
    label: 'Claim',
    hint: ' so nobody else works on it at the same time.',
    done: `You claimed the task for ${task.orderNumber}. Place the order, then complete the task.`,
    nextStatus: 'claimed',
  });
}

/** A one-button form that POSTs /ops/tasks/:id/<action>, then reports and follows the task to its new list. */
function taskActionForm(task, ctx, { action, label, hint, done, nextStatus }) {
  const form = h(
    'form',
    { class: action, 'aria-label': `${label} this task` },
    h('button', { type: 'submit', id: `${action}-task`, class: action === 'claim' ? 'primary' : '' }, label),
    h('span', { class: 'hint' }, hint),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void whileBusy(form, async () => {
      try {
        await api('POST', `/ops/tasks/${encodeURIComponent(task.taskId)}/${action}`);
        ctx.success(done);
        ctx.go(taskHash(task.taskId, nextStatus));
      } catch (error) {
        ctx.failure(error, `Could not ${action} the task for ${task.orderNumber}`);
        ctx.refresh();
      }
    });
  });
  return form;
}

function resolveForms(task, ctx) {
  if (!mayResolve(task, ctx.user)) return null;
  const cancelling = task.kind === 'cancel_order';

  const number = h('input', {
    type: 'text',
    name: 'storeOrderNumber',
    maxlength: '100',
    autocomplete: 'off',
    spellcheck: 'false',
    value: cancelling ? (task.payload?.storeOrderNumber ?? '') : null,
  });
  const complete = h(
    'form',
    { class: 'resolve complete', 'aria-labelledby': 'complete-title', novalidate: true },
    h('h3', { id: 'complete-title' }, cancelling ? 'Cancelled at the retailer' : 'Placed at the retailer'),
    field({
      id: 'store-order-number',
      label: cancelling ? 'Retailer’s order number (the cancelled order)' : 'Retailer’s order number',
      hint: cancelling
        ? 'The order stays cancelled; this records that the retailer cancelled it.'
        : 'From the retailer’s confirmation page or e-mail. The order becomes placed.',
      control: number,
    }),
    h('button', { type: 'submit', id: 'complete-task', class: 'primary' }, 'Complete task'),
  );
  complete.addEventListener('submit', (event) => {
    event.preventDefault();
    const storeOrderNumber = number.value.trim();
    if (!setFieldError(number, storeOrderNumber ? null : 'Enter the retailer’s order number.')) return number.focus();
    void whileBusy(complete, async () => {
      try {
        await api('POST', `/ops/tasks/${encodeURIComponent(task.taskId)}/complete`, { storeOrderNumber });
        ctx.success(
          cancelling
            ? `Task done: the cancellation of ${task.orderNumber} is recorded.`
            : `Task done: ${task.orderNumber} is placed with retailer order number ${storeOrderNumber}.`,
        );
        ctx.go(taskHash(task.taskId, 'done'));
      } catch (error) {
        ctx.failure(error, `Could not complete the task for ${task.orderNumber}`);
        ctx.refresh();
      }
    });
  });

  const reason = h('textarea', { name: 'reason', rows: '2', maxlength: '500' });
  const fail = h(
    'form',
    { class: 'resolve fail', 'aria-labelledby': 'fail-title', novalidate: true },
    h('h3', { id: 'fail-title' }, cancelling ? 'Could not cancel' : 'Could not place it'),
    field({
      id: 'fail-reason',
      label: 'Reason',
      hint: cancelling
        ? 'The order stays cancelled and refunded; say why the retailer would not cancel it.'
        : 'The order fails and the shopper is refunded for it. Say why (e.g. out of stock, price went up).',
      control: reason,
    }),
    h(
      'button',
      { type: 'submit', id: 'fail-task', class: 'danger' },
      cancelling ? 'Fail task' : 'Fail task and refund',
    ),
  );
  fail.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = reason.value.trim();
    if (!setFieldError(reason, text.length >= 3 ? null : 'Give a reason of at least 3 characters.'))
      return reason.focus();
    void whileBusy(fail, async () => {
      try {
        await api('POST', `/ops/tasks/${encodeURIComponent(task.taskId)}/fail`, { reason: text });
        ctx.success(
          cancelling
            ? `Task failed: recorded why ${task.orderNumber} could not be cancelled.`
            : `Task failed: ${task.orderNumber} failed and the shopper is being refunded.`,
        );
        ctx.go(taskHash(task.taskId, 'failed'));
      } catch (error) {
        ctx.failure(error, `Could not fail the task for ${task.orderNumber}`);
        ctx.refresh();
      }
    });
  });

  return h('section', { class: 'resolve-forms', 'aria-label': 'Finish this task' }, complete, fail);
}
