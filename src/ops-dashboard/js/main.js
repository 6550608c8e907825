// The dashboard's shell: sign-in, the signed-in header, messages, and a hash router that renders a section:
// tasks, orders, stores, catalog or money (#/tasks/<taskId>?status=open, #/orders/<orderNumber>?status=failed,
// #/stores/<slug>?window=24h, #/catalog, #/money/<runId>).

import { api, ApiError, describeError } from './api.js';
import { h, replaceChildren } from './dom.js';
import { renderCatalog } from './catalog-view.js';
import { renderMoney } from './money-view.js';
import { renderOrders } from './orders-view.js';
import { cleanToken, currentUser, readClaims, signIn, signOut } from './session.js';
import { renderTasks } from './tasks-view.js';
import { renderStores } from './stores-view.js';
import { renderWebhooks } from './webhooks-view.js';

const $ = (id) => document.getElementById(id);
const els = {
  signInSection: $('sign-in'),
  signInForm: $('sign-in-form'),
  tokenInput: $('token'),
  app: $('app'),
  view: $('view'),
  who: $('who'),
  whoUser: $('who-user'),
  whoRole: $('who-role'),
  signOut: $('sign-out'),
  status: $('notice-status'),
  alert: $('notice-alert'),
  nav: $('sections-nav'),
  sections: document.querySelectorAll('[data-section]'),
};

/** Each section's view and title. */
const SECTIONS = {
  tasks: { render: renderTasks, title: 'Tasks' },
  orders: { render: renderOrders, title: 'Orders' },
  stores: { render: renderStores, title: 'Stores' },
  catalog: { render: renderCatalog, title: 'Catalog' },
  money: { render: renderMoney, title: 'Money' },
  webhooks: { render: renderWebhooks, title: 'Webhooks and mails' },
};

function parseRoute() {
  const [path, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const [section, id] = path.split('/').map((part) => decodeURIComponent(part));
  return { section: SECTIONS[section] ? section : 'tasks', id: id || null, query: new URLSearchParams(query) };
}

function clearNotices() {
  replaceChildren(els.status);
  replaceChildren(els.alert);
}

function showSuccess(text) {
  replaceChildren(els.alert);
  replaceChildren(els.status, h('p', { class: 'notice success' }, text));
}

/** The error in plain words, the API's own message, any field problems, and the code to quote. */
function showError(error, doing) {
  const { summary, message, code, fields } = describeError(error);
  replaceChildren(els.status);
  replaceChildren(
    els.alert,
    h(
      'div',
      { class: 'notice error' },
      h('p', {}, h('strong', {}, doing ? `${doing}: ` : ''), summary),
      message && h('p', {}, `The service said: “${message}”`),
      fields.length > 0 &&
        h(
          'ul',
          {},
          fields.map((problem) => h('li', {}, problem)),
        ),
      h('p', { class: 'code' }, 'Error code: ', h('code', { 'data-testid': 'error-code' }, code)),
    ),
  );
}

let keepNotices = false;
let renderTicket = 0;
let lastRouteKey = null;

const ctx = {
  /** Goes to a route (or re-renders the current one) without clearing the message just shown. */
  go(hash) {
    keepNotices = true;
    if (location.hash === hash) void render();
    else location.hash = hash;
  },
  refresh() {
    keepNotices = true;
    void render();
  },
  success: showSuccess,
  /** Shows an API error; a token the API no longer accepts signs the person out. */
  failure(error, doing) {
    if (error instanceof ApiError && error.code === 'unauthorized') {
      signOut();
      showSignIn();
    }
    showError(error, doing);
  },
  user: null,
};

function showSignIn() {
  els.app.hidden = true;
  els.who.hidden = true;
  els.nav.hidden = true;
  els.signInSection.hidden = false;
  els.tokenInput.value = '';
  document.title = 'Sign in · Ops dashboard';
}

function showSignedIn(user) {
  ctx.user = user;
  els.signInSection.hidden = true;
  els.app.hidden = false;
  els.who.hidden = false;
  els.nav.hidden = false;
  els.whoUser.textContent = user.userId;
  els.whoRole.textContent = user.role;
}

/**
 * Keeps keyboard focus sensible across re-renders: a newly opened task or order focuses its heading, and
 * otherwise the control the person was on (same id) gets focus back.
 */
function restoreFocus(routeKey, focusedId) {
  const opened = routeKey !== lastRouteKey && parseRoute().id;
  lastRouteKey = routeKey;
  const target =
    (opened && els.view.querySelector('[data-focus]')) || (focusedId && document.getElementById(focusedId));
  if (target) target.focus({ preventScroll: !opened });
}

async function render() {
  const ticket = ++renderTicket;
  if (!keepNotices) clearNotices();
  keepNotices = false;
  const user = currentUser();
  if (!user) return showSignIn();
  showSignedIn(user);
  const route = parseRoute();
  for (const link of els.sections) {
    if (link.dataset.section === route.section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const focusedId =
    document.activeElement && els.view.contains(document.activeElement) ? document.activeElement.id : null;
  els.view.setAttribute('aria-busy', 'true');
  try {
    const node = await SECTIONS[route.section].render(route, ctx);
    if (ticket !== renderTicket) return;
    replaceChildren(els.view, node);
    document.title = `${SECTIONS[route.section].title}${route.id ? ` · ${route.id}` : ''} · Ops dashboard`;
    restoreFocus(`${route.section}/${route.id ?? ''}`, focusedId);
  } catch (error) {
    if (ticket !== renderTicket) return;
    ctx.failure(error, 'Could not load this page');
  } finally {
    if (ticket === renderTicket) els.view.removeAttribute('aria-busy');
  }
}

/** The roles the dashboard's API calls accept (admin may do all that ops may). */
const DASHBOARD_ROLES = ['ops', 'admin'];

/**
 * Asks the API who the token belongs to (GET /me) before keeping it, so a wrong, expired or shopper token is
 * explained at once, and the header shows the user and role the API verified.
 */
async function onSignIn(event) {
  event.preventDefault();
  const token = cleanToken(els.tokenInput.value);
  if (!readClaims(token)) {
    showError(
      new ApiError(0, 'invalid_token', 'A token has three parts separated by dots (header.payload.signature).'),
      'That is not a bearer token',
    );
    els.tokenInput.focus();
    return;
  }
  const button = els.signInForm.querySelector('button');
  button.disabled = true;
  let me;
  try {
    me = await api('GET', '/me', undefined, token);
  } catch (error) {
    showError(error, 'Could not sign in');
    els.tokenInput.focus();
    return;
  } finally {
    button.disabled = false;
  }
  if (!DASHBOARD_ROLES.includes(me.role)) {
    // The API would answer every dashboard call with 403 forbidden: say so now, as it would.
    showError(
      new ApiError(403, 'forbidden', ''),
      `Signed in as ${me.userId} (role ${me.role}), which cannot use the ops dashboard`,
    );
    els.tokenInput.focus();
    return;
  }
  signIn(token, me);
  clearNotices();
  await render();
  els.view.querySelector('h2')?.focus();
}

els.signInForm.addEventListener('submit', onSignIn);
els.signOut.addEventListener('click', () => {
  signOut();
  ctx.user = null;
  showSignIn();
  showSuccess('Signed out. The token was removed from this tab.');
  els.tokenInput.focus();
});
window.addEventListener('hashchange', () => void render());
void render();
