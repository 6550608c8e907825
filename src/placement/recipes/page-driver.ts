import { TimeoutError, type ElementHandle, type Frame, type HTTPResponse, type Page } from 'puppeteer-core';
import { toPuppeteerSelector } from './element-selector';
import { describeCover, receivesClick } from './in-page-click-checks';
import { watchPageStability } from './page-stability';
import { flowBroken, HeadlessTransientError } from './recipe-errors';
import { pathOf } from './url-path';

export interface PageDriverOptions {
  navigationTimeoutMs: number;
  selectorTimeoutMs: number;
}

/** What the last click was aimed at, and what the browser says it actually hit (for failure reports). */
export interface ClickRecord {
  selector: string;
  url: string;
  /** The element that received the click, e.g. `button#place-order "Place Order"`; absent after a navigation. */
  hit?: string;
}

export type PageDriver = ReturnType<typeof createPageDriver>;

const RETRYABLE_STATUS = new Set([408, 425, 429]);
/**
 * Puppeteer calls with the failure rules of the headless adapter: a 5xx/429 document or a navigation timeout is
 * transient; a selector missing from a page that finished loading normally means the retailer's markup no
 * longer matches the recipe (`flow_broken`). 4xx pages are left to the recipe's `failIf` steps to explain.
 * Clicks go through Puppeteer's locator (visible, enabled, stable, in view) plus a hit test, so a click never
 * lands silently on a toast or a banner over the element.
 */
export function createPageDriver(page: Page, { navigationTimeoutMs, selectorTimeoutMs }: PageDriverOptions) {
  let lastDocumentStatus: number | undefined;
  let lastClick: ClickRecord | undefined;
  const waitForStable = watchPageStability(page, navigationTimeoutMs);
  page.on('response', (response) => {
    if (response.request().isNavigationRequest() && response.frame() === page.mainFrame())
      lastDocumentStatus = response.status();
  });

  function assertLoaded(response: HTTPResponse | null, what: string): void {
    const url = page.url();
    if (url.startsWith('chrome-error://'))
      throw new HeadlessTransientError(`${what}: the retailer could not be reached`, { url });
    const status = response?.status();
    if (status === undefined) return;
    if (status >= 500 || RETRYABLE_STATUS.has(status)) {
      const retryAfter = Number(response?.headers()['retry-after']);
      const retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined;
      throw new HeadlessTransientError(
        `${what}: the retailer answered HTTP ${status} at ${pathOf(url)}`,
        { url, httpStatus: status },
        retryAfterMs,
      );
    }
  }

  async function navigationFailure(error: unknown, what: string): Promise<never> {
    if (error instanceof TimeoutError) {
      throw new HeadlessTransientError(
        `${what}: navigation timed out after ${navigationTimeoutMs} ms`,
        { url: page.url() },
        undefined,
        error,
      );
    }
    throw error;
  }

  async function missingElement(selector: string, timeoutMs: number, visible: boolean, scope: Frame): Promise<never> {
    const url = page.url();
    if (url.startsWith('chrome-error://'))
      throw new HeadlessTransientError(`the retailer could not be reached (waiting for ${selector})`, {
        url,
        selector,
      });
    if (lastDocumentStatus !== undefined && lastDocumentStatus >= 500) {
      throw new HeadlessTransientError(`the retailer answered HTTP ${lastDocumentStatus} at ${pathOf(url)}`, {
        url,
        httpStatus: lastDocumentStatus,
        selector,
      });
    }
    const readyState = await page.evaluate(() => document.readyState).catch(() => 'unknown');
    if (readyState !== 'complete') {
      throw new HeadlessTransientError(
        `${pathOf(url)} was still loading after ${timeoutMs} ms (waiting for ${selector})`,
        { url, selector, readyState },
      );
    }
    const present = (await scope.$(toPuppeteerSelector(selector)).catch(() => null)) !== null;
    const status = lastDocumentStatus !== undefined ? ` (HTTP ${lastDocumentStatus})` : '';
    const problem =
      present && visible ? 'is on the page but never became visible' : `never appeared within ${timeoutMs} ms`;
    throw flowBroken(
      `${selector} ${problem} on ${pathOf(url)}${status}: the retailer's page no longer matches the recipe`,
      {
        url,
        selector,
        httpStatus: lastDocumentStatus,
      },
    );
  }

  /** The main frame, or the document of the iframe `frameSelector` names (card fields of a payment provider). */
  async function scopeOf(frameSelector: string | undefined, timeoutMs = selectorTimeoutMs): Promise<Frame> {
    if (!frameSelector) return page.mainFrame();
    const iframe = await element(frameSelector, { visible: true, timeoutMs });
    const frame = await iframe.contentFrame();
    if (!frame) throw flowBroken(`${frameSelector} is not an iframe`, { selector: frameSelector });
    return frame;
  }

  /** Waits for the first element matching `selector`; `visible` for elements a person would interact with. */
  async function element(
    selector: string,
    { visible, timeoutMs = selectorTimeoutMs, frame }: { visible: boolean; timeoutMs?: number; frame?: string },
  ): Promise<ElementHandle<Element>> {
    const scope = await scopeOf(frame, timeoutMs);
    const css = toPuppeteerSelector(selector);
    if (visible) {
      // The first VISIBLE match: responsive shops render one form twice and hide one copy per layout.
      const deadline = Date.now() + timeoutMs;
      do {
        const handles = await scope.$$(css).catch((error: Error) => {
          // A page navigating away detaches the frame for a moment; only a broken selector is final.
          if (/not a valid selector/.test(error.message)) throw error;
          return [];
        });
        for (const handle of handles) {
          if (await handle.isVisible().catch(() => false)) return handle as ElementHandle<Element>;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      } while (Date.now() < deadline);
      return missingElement(selector, timeoutMs, visible, scope);
    }
    try {
      const handle = await scope.waitForSelector(css, { timeout: timeoutMs });
      if (handle) return handle as ElementHandle<Element>;
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
    }
    return missingElement(selector, timeoutMs, visible, scope);
  }

  async function clickOnce(selector: string, scope: Frame, timeoutMs: number): Promise<void> {
    const css = toPuppeteerSelector(selector);
    lastClick = { selector, url: page.url() };
    await scope
      .evaluate(() => {
        const w = window as unknown as { __morClickHit?: string };
        delete w.__morClickHit;
        window.addEventListener(
          'click',
          (event) => {
            const t = event.target as Element;
            const text = (t.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 60);
            w.__morClickHit = `${t.tagName.toLowerCase()}${t.id ? `#${t.id}` : ''}${text ? ` "${text}"` : ''}`;
          },
          { capture: true, once: true },
        );
      })
      .catch(() => undefined);
    try {
      await scope.locator(css).setTimeout(timeoutMs).setVisibility('visible').filter(receivesClick).click();
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
      const handle = await scope.$(css).catch(() => null);
      if (!handle) return missingElement(selector, timeoutMs, true, scope);
      const cover = await handle.evaluate(describeCover).catch(() => 'unknown');
      throw new HeadlessTransientError(
        `${selector} could not be clicked within ${timeoutMs} ms: a click there would hit ${cover}`,
        {
          url: page.url(),
          selector,
          coveredBy: cover,
        },
      );
    }
    lastClick.hit = await scope
      .evaluate(() => (window as unknown as { __morClickHit?: string }).__morClickHit)
      .catch(() => undefined);
  }

  return {
    page,
    get lastDocumentStatus() {
      return lastDocumentStatus;
    },
    get lastClick(): ClickRecord | undefined {
      return lastClick;
    },
    element,
    scopeOf,
    waitForStable,

    async goto(url: string): Promise<void> {
      const response = await page
        .goto(url, { timeout: navigationTimeoutMs, waitUntil: 'load' })
        .catch((error) => navigationFailure(error, `opening ${pathOf(url)}`));
      assertLoaded(response, `opening ${pathOf(url)}`);
    },

    /**
     * Clears through the element's native value setter (which framework-controlled inputs listen behind), then
     * types like a person, so input masks and key handlers see real key events.
     */
    async fill(handle: ElementHandle<Element>, selector: string, value: string): Promise<void> {
      const fillable = await handle.evaluate((el) => {
        if (!(el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement)) return false;
        Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), 'value')?.set?.call(el, '');
        el.dispatchEvent(new Event('input', { bubbles: true }));
        el.focus();
        return true;
      });
      if (!fillable) throw flowBroken(`${selector} is not a text field`, { selector });
      if (value) await handle.type(value);
      await handle.evaluate((el) => el.dispatchEvent(new Event('change', { bubbles: true })));
    },

    /** Clicks once the element can really receive the click; with `waitForNavigation`, waits for the next document. */
    async click(
      selector: string,
      options: { waitForNavigation?: boolean; frame?: string; timeoutMs?: number } = {},
    ): Promise<void> {
      const timeoutMs = options.timeoutMs ?? selectorTimeoutMs;
      const scope = await scopeOf(options.frame, timeoutMs);
      if (!options.waitForNavigation) return clickOnce(selector, scope, timeoutMs);
      const navigation = page.waitForNavigation({ timeout: navigationTimeoutMs, waitUntil: 'load' });
      navigation.catch(() => undefined);
      await clickOnce(selector, scope, timeoutMs);
      const response = await navigation.catch((error) => navigationFailure(error, `after clicking ${selector}`));
      assertLoaded(response, `after clicking ${selector}`);
    },

    /** Waits until nothing visible matches `selector` (a spinner, an overlay, a toast). */
    async waitForGone(selector: string, timeoutMs = selectorTimeoutMs, frame?: string): Promise<void> {
      const scope = await scopeOf(frame, timeoutMs);
      await scope
        .waitForSelector(toPuppeteerSelector(selector), { hidden: true, timeout: timeoutMs })
        .catch((error) => {
          if (!(error instanceof TimeoutError)) throw error;
          throw new HeadlessTransientError(`${selector} was still on ${pathOf(page.url())} after ${timeoutMs} ms`, {
            url: page.url(),
            selector,
          });
        });
    },
  };
}
