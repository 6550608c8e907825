import { TimeoutError, type HTTPRequest, type Page } from 'puppeteer-core';
import { HeadlessTransientError } from './recipe-errors';
import { pathOf } from './url-path';

/** A request open this long is taken as hung (a long poll, a stalled tracker) when waiting for a page to settle. */
const HUNG_REQUEST_MS = 10_000;

/**
 * Watches the page's requests from now on and returns the wait for it to settle: no request in flight, no DOM
 * change, no animation. When it does not settle, the error names what kept it busy.
 */
export function watchPageStability(page: Page, navigationTimeoutMs: number) {
  // Requests in flight, to say what kept a page from settling.
  const inFlight = new Set<HTTPRequest>();
  const startedAt = new WeakMap<HTTPRequest, number>();
  page.on('request', (request) => {
    // A new document cancels the old one's requests, and Chromium does not always report them as failed.
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) inFlight.clear();
    inFlight.add(request);
    startedAt.set(request, Date.now());
  });
  page.on('requestfinished', (request) => void inFlight.delete(request));
  page.on('requestfailed', (request) => void inFlight.delete(request));

  /**
   * Waits until no request is in flight, the DOM has not changed and no finite animation ran for `quietMs`.
   * A request older than `HUNG_REQUEST_MS` is taken as hung (shops leave some open) and ignored, except with
   * `strict` (lookups): there a hung data request must never pass for "loaded".
   */
  return async function waitForStable(
    quietMs = 500,
    timeoutMs = navigationTimeoutMs,
    { strict = false }: { strict?: boolean } = {},
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const unstable = (what: string) =>
      new HeadlessTransientError(`${pathOf(page.url())} did not settle within ${timeoutMs} ms: ${what}`, {
        url: page.url(),
      });
    const busy = () =>
      [...inFlight].filter((request) => strict || Date.now() - (startedAt.get(request) ?? 0) < HUNG_REQUEST_MS);
    let quietSince = busy().length === 0 ? Date.now() : 0;
    while (Date.now() - quietSince < quietMs || quietSince === 0) {
      if (Date.now() > deadline) {
        const names = busy()
          .map((request) => `${request.method()} ${pathOf(request.url())}`)
          .slice(0, 5);
        throw unstable(`requests still in flight: ${names.join(', ') || 'none (they kept coming)'}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (busy().length > 0) quietSince = 0;
      else if (quietSince === 0) quietSince = Date.now();
    }
    await page
      .waitForFunction(
        (quiet: number) => {
          const w = window as unknown as { __morLastMutation?: number; __morObserver?: MutationObserver };
          if (!w.__morObserver) {
            w.__morLastMutation = performance.now();
            w.__morObserver = new MutationObserver(() => void (w.__morLastMutation = performance.now()));
            w.__morObserver.observe(document, {
              subtree: true,
              childList: true,
              attributes: true,
              characterData: true,
            });
          }
          const animating = document
            .getAnimations()
            .some((a) => a.playState === 'running' && a.effect?.getTiming().iterations !== Infinity);
          if (animating) w.__morLastMutation = performance.now();
          return performance.now() - (w.__morLastMutation ?? 0) >= quiet;
        },
        { timeout: Math.max(100, deadline - Date.now()), polling: 100 },
        quietMs,
      )
      .catch((error) => {
        throw error instanceof TimeoutError ? unstable('the page kept changing (DOM mutations or animations)') : error;
      });
  };
}
