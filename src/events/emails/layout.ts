/** What every mail template returns: a subject and the same message as plain text and as HTML. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (value: unknown): string => String(value ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);

/** Money from integer cents, in the store's currency: 123456 usd → $1,234.56. */
export function formatCents(cents: number, currency = 'usd'): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(cents / 100);
}

/** A table row of label and amount, in both forms. */
export interface Line {
  label: string;
  value: string;
}

export const textLines = (lines: Line[]): string => lines.map((line) => `  ${line.label}: ${line.value}`).join('\n');

export const htmlLines = (lines: Line[]): string =>
  `<table role="presentation" cellpadding="4">${lines
    .map((line) => `<tr><td>${escapeHtml(line.label)}</td><td align="right">${escapeHtml(line.value)}</td></tr>`)
    .join('')}</table>`;

/** Wraps a body in the shared HTML frame; `body` is already escaped HTML. */
export function htmlFrame(title: string, body: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family: Arial, sans-serif; color: #222; max-width: 600px">
<h1 style="font-size: 20px">${escapeHtml(title)}</h1>
${body}
<p style="color: #777; font-size: 12px">You receive this mail because you placed an order with us.</p>
</body></html>`;
}
