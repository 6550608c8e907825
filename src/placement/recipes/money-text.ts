const NUMBER_TOKEN = /\d[\d.,]*/;
const AMOUNT = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$/;

/**
 * The first number in a retailer's text as integer cents: "$1,234.56" → 123456, "USD 12.5" → 1250, "$7" → 700.
 * US formatting only (dot decimals, comma thousands); a number that is not a valid amount ("12.345", "1,23")
 * gives undefined rather than a guess. String arithmetic only: no float ever touches the value.
 */
export function parseMoneyToCents(text: string): number | undefined {
  const token = NUMBER_TOKEN.exec(text)?.[0].replace(/[.,]$/, '');
  const match = token ? AMOUNT.exec(token) : null;
  if (!match) return undefined;
  const cents = BigInt(match[1]!.replaceAll(',', '')) * 100n + BigInt((match[2] ?? '').padEnd(2, '0'));
  return cents <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(cents) : undefined;
}
