import type { Page } from 'puppeteer-core';
import { PermanentPlacementError } from '../placement-adapter';
import { toPuppeteerSelector } from './element-selector';
import { flowBroken, HeadlessTransientError } from './recipe-errors';
import { extract, request } from './recipe-read-steps';
import type { SimpleStep } from './recipe-schema';
import { isMissingElement, type StepContext } from './step-context';
import { renderTemplate } from './template';

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
