/**
 * Selectors a recipe may use, besides CSS, for shops whose markup has no stable ids (React, Tailwind):
 * - `text=Add to cart`         the element whose own text contains "Add to cart"
 * - `css-selector >> text=Place Order`  the same, limited to elements matching the CSS before `>>`
 * - `label=Email`              the element whose accessible name (its <label>, aria-label) is "Email"
 * - `role=radio[name="Cash On Delivery"]`  by ARIA role and accessible name (the name part is optional)
 * All map onto Puppeteer's own query handlers (`::-p-text`, `::-p-aria`), so waiting and clicking work the same.
 */

const ROLE = /^role=([a-z]+)(?:\[name=(?:"([^"]*)"|'([^']*)')\])?$/;

function quoteArg(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The Puppeteer selector for a recipe selector (already rendered). CSS passes through unchanged. */
export function toPuppeteerSelector(selector: string): string {
  const trimmed = selector.trim();
  const scoped = /^(.*?)\s*>>\s*(text=.*)$/s.exec(trimmed);
  if (scoped && scoped[1]) return `${scoped[1]}${toPuppeteerSelector(scoped[2]!)}`;
  if (trimmed.startsWith('text=')) return `::-p-text(${quoteArg(trimmed.slice(5).trim())})`;
  if (trimmed.startsWith('label=')) return `::-p-aria(${quoteArg(trimmed.slice(6).trim())})`;
  const role = ROLE.exec(trimmed);
  if (role) {
    const name = role[2] ?? role[3];
    return `::-p-aria([role=${quoteArg(role[1]!)}]${name !== undefined ? `[name=${quoteArg(name)}]` : ''})`;
  }
  return trimmed;
}

/** A problem with a selector's recipe syntax, or undefined. CSS itself is checked by the browser at run time. */
export function selectorProblem(selector: string): string | undefined {
  const trimmed = selector.trim();
  if (trimmed.startsWith('role=') && !ROLE.test(trimmed)) return 'expected role=<role> or role=<role>[name="…"]';
  if (/^(text|label)=\s*$/.test(trimmed)) return 'needs text after "="';
  const scoped = /^(.*?)\s*>>\s*(.*)$/s.exec(trimmed);
  if (scoped && (!scoped[1] || !scoped[2]!.startsWith('text='))) return 'only "<css> >> text=…" is supported';
  return undefined;
}
