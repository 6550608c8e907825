import { toPuppeteerSelector } from './element-selector';
import { parseMoneyToCents } from './money-text';
import { flowBroken, HeadlessTransientError } from './recipe-errors';
import type { SimpleStep } from './recipe-schema';
import { isMissingElement, type StepContext } from './step-context';

/** The steps that read values: `extract` from the page, `request` from the shop's own API. */

/** Reads a value from the page (or from one read before) into `extracted`, the retailer's total as cents. */
export async function extract(
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
export async function request(
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
