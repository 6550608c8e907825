/**
 * The demo shop playing a single-page app, for recipes that must survive one without a heavy real shop:
 * - the order history arrives after the page (`dataDelayMs`): its table is empty until a script fills it, and
 *   the explicit "No orders found." only shows once the data has arrived;
 * - a toast with a "Reload page" action covers the page for `toastMs` after each load (-1: it never goes);
 * - a cookie banner fades in at the bottom of every page until "Accept cookies" is clicked (a cookie remembers it).
 */
export interface SpaMode {
  dataDelayMs: number;
  toastMs: number;
  banner: boolean;
}

/** Injected before `</body>` of every page while the mode is on. */
export function spaOverlays(mode: SpaMode): string {
  const toast =
    mode.toastMs === 0
      ? ''
      : `<div class="toast" role="status" style="position:fixed;inset:0;background:rgba(30,30,30,.35);display:flex;align-items:center;justify-content:center;z-index:50">
  <div style="background:#fff;padding:16px;border-radius:6px">Something went wrong. <button type="button" onclick="location.reload()">Reload page</button></div></div>
<script>${mode.toastMs > 0 ? `setTimeout(function(){document.querySelector('.toast')&&document.querySelector('.toast').remove()},${mode.toastMs});` : ''}</script>`;
  const banner = !mode.banner
    ? ''
    : `<div class="cookie-banner" style="position:fixed;left:0;right:0;bottom:0;padding:16px;background:#222;color:#fff;opacity:0;transition:opacity .6s;z-index:40">
  We use cookies. <button type="button" id="accept-cookies" onclick="document.cookie='cookies_ok=1; path=/';this.parentNode.remove()">Accept cookies</button></div>
<script>(function(){var b=document.querySelector('.cookie-banner');if(/cookies_ok=1/.test(document.cookie)){b.remove();return}
requestAnimationFrame(function(){requestAnimationFrame(function(){b.style.opacity='1'})})})()</script>`;
  return toast + banner;
}

/** The history table's rows come from `/account/orders.json` after the page has loaded, as a SPA's would. */
export const SPA_HISTORY_SCRIPT = `<script>
(function () {
  var table = document.querySelector('[data-order-history]');
  var empty = document.querySelector('[data-no-orders]');
  if (!table) return;
  var body = table.querySelector('tbody');
  var rows = body.innerHTML;
  body.innerHTML = '';
  if (empty) empty.remove();
  fetch('/account/orders.json' + location.search, { credentials: 'same-origin' }).then(function (r) { return r.json(); }).then(function () {
    body.innerHTML = rows;
    if (!rows.trim()) table.insertAdjacentHTML('afterend', '<p data-no-orders>No orders found.</p>');
  });
})();
</script>`;
