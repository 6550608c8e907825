import { TimeoutError, type ElementHandle, type HTTPResponse, type Page } from 'puppeteer-core';
import { flowBroken, HeadlessTransientError } from './recipe-errors';

export interface PageDriverOptions {
  navigationTimeoutMs: number;
  selectorTimeoutMs: number;
}

export type PageDriver = ReturnType<typeof createPageDriver>;

const RETRYABLE_STATUS = new Set([408, 425, 429]);
const pathOf = (url: string): string => {
  try {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return url;
  }
};

/**
 * Puppeteer calls with the failure rules of the headless adapter: a 5xx/429 document or a navigation timeout is
 * transient; a selector missing from a page that finished loading normally means the retailer's markup no
 * longer matches the recipe (`flow_broken`). 4xx pages are left to the recipe's `failIf` steps to explain.
 */
export function createPageDriver(page: Page, { navigationTimeoutMs, selectorTimeoutMs }: PageDriverOptions) {
  let lastDocumentStatus: number | undefined;
  page.on('response', (response) => {
    if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) lastDocumentStatus = response.status();
  });

  function assertLoaded(response: HTTPResponse | null, what: string): void {
    const url = page.url();
    if (url.startsWith('chrome-error://')) throw new HeadlessTransientError(`${what}: the retailer could not be reached`, { url });
    const status = response?.status();
    if (status === undefined) return;
    if (status >= 500 || RETRYABLE_STATUS.has(status)) {
      const retryAfter = Number(response?.headers()['retry-after']);
      const retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined;
      throw new HeadlessTransientError(`${what}: the retailer answered HTTP ${status} at ${pathOf(url)}`, { url, httpStatus: status }, retryAfterMs);
    }
  }

  async function navigationFailure(error: unknown, what: string): Promise<never> {
    if (error instanceof TimeoutError) {
      throw new HeadlessTransientError(`${what}: navigation timed out after ${navigationTimeoutMs} ms`, { url: page.url() }, undefined, error);
    }
    throw error;
  }

  async function missingElement(selector: string, timeoutMs: number, visible: boolean): Promise<never> {
    const url = page.url();
    if (url.startsWith('chrome-error://')) throw new HeadlessTransientError(`the retailer could not be reached (waiting for ${selector})`, { url, selector });
    if (lastDocumentStatus !== undefined && lastDocumentStatus >= 500) {
      throw new HeadlessTransientError(`the retailer answered HTTP ${lastDocumentStatus} at ${pathOf(url)}`, { url, httpStatus: lastDocumentStatus, selector });
    }
    const readyState = await page.evaluate(() => document.readyState).catch(() => 'unknown');
    if (readyState !== 'complete') {
      throw new HeadlessTransientError(`${pathOf(url)} was still loading after ${timeoutMs} ms (waiting for ${selector})`, { url, selector, readyState });
    }
    const present = (await page.$(selector)) !== null;
    const status = lastDocumentStatus !== undefined ? ` (HTTP ${lastDocumentStatus})` : '';
    const problem = present && visible ? 'is on the page but never became visible' : `never appeared within ${timeoutMs} ms`;
    throw flowBroken(`${selector} ${problem} on ${pathOf(url)}${status}: the retailer's page no longer matches the recipe`, {
      url,
      selector,
      httpStatus: lastDocumentStatus,
    });
  }

  return {
    page,
    get lastDocumentStatus() {
      return lastDocumentStatus;
    },

    async goto(url: string): Promise<void> {
      const response = await page.goto(url, { timeout: navigationTimeoutMs, waitUntil: 'load' }).catch((error) => navigationFailure(error, `opening ${pathOf(url)}`));
      assertLoaded(response, `opening ${pathOf(url)}`);
    },

    /** Waits for the first element matching `selector`; `visible` for elements a person would interact with. */
    async element(selector: string, { visible, timeoutMs = selectorTimeoutMs }: { visible: boolean; timeoutMs?: number }): Promise<ElementHandle<Element>> {
      try {
        const handle = await page.waitForSelector(selector, { visible, timeout: timeoutMs });
        if (handle) return handle;
      } catch (error) {
        if (!(error instanceof TimeoutError)) throw error;
      }
      return missingElement(selector, timeoutMs, visible);
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

    /** Clicks, and when the click submits a form or follows a link, waits for the next document to load. */
    async click(handle: ElementHandle<Element>, selector: string, waitForNavigation: boolean): Promise<void> {
      if (!waitForNavigation) return handle.click();
      const [response] = await Promise.all([
        page.waitForNavigation({ timeout: navigationTimeoutMs, waitUntil: 'load' }).catch((error) => navigationFailure(error, `after clicking ${selector}`)),
        handle.click(),
      ]);
      assertLoaded(response, `after clicking ${selector}`);
    },
  };
}
