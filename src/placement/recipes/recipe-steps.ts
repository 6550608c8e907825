import type { Page } from 'puppeteer-core';
import { PermanentPlacementError } from '../placement-adapter';
import { toPuppeteerSelector } from './element-selector';
import { parseMoneyToCents } from './money-text';
import type { PageDriver } from './page-driver';
import { flowBroken, HeadlessTransientError } from './recipe-errors';
import type { SimpleStep } from './recipe-schema';
import { renderTemplate, type TemplateValues } from './template';

/** What a single step needs from the run it belongs to. */
export interface StepContext {
  page: Page;
  driver: PageDriver;
  values: TemplateValues;
  extracted: Record<string, string | number>;
  markSubmitted(): void;
  guardPrice(): void;
  screenshot(label: string): Promise<void>;
  call(action: string): Promise<void>;
}

const isMissingElement = (error: unknown) =>
  error instanceof PermanentPlacementError && error.code === 'flow_broken' && 'selector' in error.details;

/** Runs one step that is not a loop. An `optional` step whose element never shows up is skipped. */
export async function runSimpleStep(step: SimpleStep, ctx: StepContext): Promise<void> {
  try {
    await runStep(step, ctx);
  } catch (error) {
    if ('optional' in step && step.optional && step.type !== 'extract' && isMissingElement(error)) return;
    throw error;
  }
}

async function runStep(step: SimpleStep, ctx: StepContext): Promise<void> {
  const { driver, values } = ctx;
  const render = (template: string) => renderTemplate(template, values);
  switch (step.type) {
    case 'goto':
      return driver.goto(new URL(render(step.url), String(values.baseUrl)).toString());
    case 'fill': {
      const value = render(step.value);
      if (step.skipIfEmpty && value === '') return;
      const selector = render(step.selector);
      return driver.fill(
        await driver.element(selector, { visible: true, timeoutMs: step.timeoutMs, frame: step.frame }),
        selector,
        value,
      );
    }
    case 'select': {
      const value = render(step.value);
      if (step.skipIfEmpty && value === '') return;
      const selector = render(step.selector);
      const chosen = await (
        await driver.element(selector, { visible: true, timeoutMs: step.timeoutMs, frame: step.frame })
      ).select(value);
      if (!chosen.includes(value)) throw flowBroken(`${selector} has no option "${value}"`, { selector });
      return;
    }
    case 'choose':
      return choose(step, ctx, render);
    case 'click': {
      const selector = render(step.selector);
      // The submit counts from the moment it may have been clicked: a failure after that may have bought the order.
      if (step.submitsOrder)
        await driver.element(selector, { visible: true, timeoutMs: step.timeoutMs, frame: step.frame });
      if (step.submitsOrder) ctx.markSubmitted();
      const clicking = driver.click(selector, {
        waitForNavigation: step.waitForNavigation,
        frame: step.frame,
        timeoutMs: step.timeoutMs,
      });
      if (step.waitForResponse) {
        const response = awaitResponse(ctx.page, render(step.waitForResponse));
        // An error answer (a 429, a 500) fails the step at once instead of after the navigation timeout.
        clicking.catch(() => undefined);
        response.catch(() => undefined);
        await Promise.race([clicking.then(() => response), response.then(() => clicking)]);
      } else {
        await clicking;
      }
      if (step.expect)
        await driver.element(render(step.expect), { visible: false, timeoutMs: step.timeoutMs, frame: step.frame });
      return;
    }
    case 'waitFor':
      return void (await driver.element(render(step.selector), {
        visible: false,
        timeoutMs: step.timeoutMs,
        frame: step.frame,
      }));
    case 'waitForGone':
      return driver.waitForGone(render(step.selector), step.timeoutMs, step.frame);
    case 'waitForStable':
      return driver.waitForStable(step.quietMs, step.timeoutMs);
    case 'extract':
      return extract(step, ctx, render);
    case 'request':
      return request(step, ctx, render);
    case 'guardPrice':
      return ctx.guardPrice();
    case 'failIf': {
      const selector = render(step.selector);
      const scope = await driver.scopeOf(step.frame);
      const refusal = await scope.$(toPuppeteerSelector(selector));
      if (!refusal) return;
      const text = (await refusal.evaluate((el) => el.textContent ?? '')).replace(/\s+/g, ' ').trim();
      throw new PermanentPlacementError(step.code, render(step.message), {
        selector,
        retailerMessage: text.slice(0, 300),
      });
    }
    case 'screenshot':
      return ctx.screenshot(step.label ?? 'step');
    case 'call':
      if (step.submitsOrder) ctx.markSubmitted();
      return ctx.call(step.action);
    case 'emptyCart':
      return emptyCart(step, ctx, render);
  }
}

/** Resolves with the first response whose URL contains `part`; an error status fails the step. */
async function awaitResponse(page: Page, part: string): Promise<void> {
  const response = await page
    .waitForResponse((res) => res.url().includes(part) && res.request().method() !== 'OPTIONS', { timeout: 30_000 })
    .catch(() => {
      throw new HeadlessTransientError(`no response from ${part} after the click`, { url: page.url() });
    });
  if (response.status() === 429 || response.status() === 503) {
    const retryAfter = Number(response.headers()['retry-after']);
    throw new HeadlessTransientError(
      `the retailer answered ${response.status()} to ${part} (rate limited or busy)`,
      { httpStatus: response.status() },
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
    );
  }
  if (response.status() >= 400) {
    const body = (await response.text().catch(() => '')).replace(/\s+/g, ' ').slice(0, 300);
    const permanent = response.status() < 500 || /stock|not available|not found|no longer/i.test(body);
    if (permanent)
      throw new PermanentPlacementError(
        /stock/i.test(body) ? 'out_of_stock' : 'rejected',
        `the retailer answered ${response.status()} to ${part}: ${body}`,
        { retailerMessage: body },
      );
    throw new HeadlessTransientError(`the retailer answered ${response.status()} to ${part}`, {
      httpStatus: response.status(),
      retailerMessage: body,
    });
  }
}

/** A custom dropdown or styled radios: open it (if there is a trigger), then click the option with this text. */
async function choose(
  step: Extract<SimpleStep, { type: 'choose' }>,
  ctx: StepContext,
  render: (t: string) => string,
): Promise<void> {
  const option = render(step.option).trim();
  if (step.skipIfEmpty && option === '') return;
  const timeoutMs = step.timeoutMs;
  if (step.trigger) await ctx.driver.click(render(step.trigger), { frame: step.frame, timeoutMs });
  const scope = await ctx.driver.scopeOf(step.frame);
  const optionSelector = step.optionSelector ?? '[role="option"]';
  const token = `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const found = await scope
    .waitForFunction(
      (selector: string, wanted: string, contains: boolean, inside: string | null, mark: string) => {
        // No named inner functions here: tsx (esbuild keepNames) would wrap them in a helper the page lacks.
        const want = wanted.toLowerCase();
        const match = Array.from(document.querySelectorAll(selector)).find((el) => {
          const text = ((el as HTMLElement).innerText ?? el.textContent ?? '')
            .replace(/\s+/g, ' ')
            .trim()
            .toLowerCase();
          return contains ? text.includes(want) : text === want;
        });
        const target = match && inside ? match.querySelector(inside) : match;
        target?.setAttribute('data-mor-choice', mark);
        return !!target;
      },
      { timeout: timeoutMs ?? 5_000, polling: 100 },
      optionSelector,
      option,
      step.match === 'contains',
      step.clickInside ?? null,
      token,
    )
    .then(
      () => true,
      () => false,
    );
  if (!found)
    throw flowBroken(
      `no option "${option}" among ${optionSelector}${step.trigger ? ` after opening ${render(step.trigger)}` : ''}`,
      { selector: optionSelector, option },
    );
  await ctx.driver.click(`[data-mor-choice="${token}"]`, { frame: step.frame, timeoutMs });
  if (step.expect) await ctx.driver.element(render(step.expect), { visible: false, timeoutMs, frame: step.frame });
}

async function extract(
  step: Extract<SimpleStep, { type: 'extract' }>,
  ctx: StepContext,
  render: (t: string) => string,
): Promise<void> {
  let text: string;
  const where = step.from !== undefined ? `extracted.${step.from}` : render(step.selector ?? '');
  if (step.from !== undefined) {
    const value = ctx.extracted[step.from];
    if (value === undefined) throw flowBroken(`${where} has not been read`, {});
    text = String(value);
  } else {
    const selector = where;
    const scope = await ctx.driver.scopeOf(step.frame);
    // An optional extract reads the page as it is (unless given a timeout): absence is an answer, not a wait.
    const element =
      step.optional && step.timeoutMs === undefined
        ? await scope.$(toPuppeteerSelector(selector))
        : await ctx.driver
            .element(selector, { visible: false, timeoutMs: step.timeoutMs, frame: step.frame })
            .catch((error) => {
              if (step.optional && isMissingElement(error)) return null;
              throw error;
            });
    if (!element) return;
    const raw = await element.evaluate(
      (el, attribute) => (attribute ? el.getAttribute(attribute) : el.textContent),
      step.attribute ?? null,
    );
    if (raw === null) throw flowBroken(`${selector} has no ${step.attribute} attribute`, { selector });
    text = raw.replace(/\s+/g, ' ').trim();
  }
  if (step.pattern) {
    const pattern = render(step.pattern);
    const match = new RegExp(pattern).exec(text);
    if (!match) {
      if (step.optional) return;
      throw flowBroken(`${where} text "${text.slice(0, 80)}" does not match /${pattern}/`, { selector: where });
    }
    text = match[1] ?? match[0];
  }
  if (step.as !== 'retailerTotalCents') {
    ctx.extracted[step.as] = text;
    return;
  }
  const cents = parseMoneyToCents(text);
  if (cents === undefined)
    throw flowBroken(`${where} text "${text.slice(0, 80)}" is not an amount`, { selector: where });
  ctx.extracted[step.as] = cents;
}

/** A call to the shop's own API from inside the page, so it carries the page's cookies and origin. */
async function request(
  step: Extract<SimpleStep, { type: 'request' }>,
  ctx: StepContext,
  render: (t: string) => string,
): Promise<void> {
  const url = new URL(render(step.url), String(ctx.values.baseUrl)).toString();
  const body = step.json === undefined ? undefined : render(step.json);
  const timeoutMs = step.timeoutMs ?? 15_000;
  const answer = await ctx.page
    .evaluate(
      async (target: string, method: string, payload: string | null, ms: number) => {
        try {
          const res = await fetch(target, {
            method,
            credentials: 'include',
            headers: payload === null ? {} : { 'content-type': 'application/json' },
            body: payload ?? undefined,
            signal: AbortSignal.timeout(ms),
          });
          return { status: res.status, text: await res.text() };
        } catch (error) {
          return { status: 0, text: String(error) };
        }
      },
      url,
      step.method ?? (body === undefined ? 'GET' : 'POST'),
      body ?? null,
      timeoutMs,
    )
    .catch((error: Error) => ({ status: 0, text: error.message }));
  if (answer.status === 0 || answer.status >= 500 || answer.status === 429) {
    throw new HeadlessTransientError(
      `request to ${new URL(url).pathname} failed: ${answer.status || answer.text.slice(0, 120)}`,
      { url, httpStatus: answer.status },
    );
  }
  if (answer.status >= 400)
    throw flowBroken(
      `request to ${new URL(url).pathname} answered HTTP ${answer.status}: ${answer.text.slice(0, 200)}`,
      { url, httpStatus: answer.status },
    );
  ctx.extracted[step.as] = answer.text;
}

/** Removes cart lines one by one until the cart's empty state shows; bounded, so a stuck cart fails loudly. */
async function emptyCart(
  step: Extract<SimpleStep, { type: 'emptyCart' }>,
  ctx: StepContext,
  render: (t: string) => string,
): Promise<void> {
  const { driver } = ctx;
  const removeSelector = render(step.removeSelector);
  const emptySelector = render(step.emptySelector);
  const timeoutMs = step.timeoutMs ?? 10_000;
  await driver.goto(new URL(render(step.url), String(ctx.values.baseUrl)).toString());
  for (let removed = 0; removed <= (step.maxItems ?? 30); removed += 1) {
    await driver.waitForStable(300, timeoutMs);
    if (await ctx.page.$(toPuppeteerSelector(emptySelector))) return;
    if (!(await ctx.page.$(toPuppeteerSelector(removeSelector)))) {
      throw flowBroken(`the cart shows neither ${emptySelector} nor ${removeSelector}`, { selector: emptySelector });
    }
    await driver.click(removeSelector, { timeoutMs });
  }
  throw new HeadlessTransientError(`the cart was not empty after removing ${step.maxItems ?? 30} lines`, {
    url: ctx.page.url(),
  });
}
