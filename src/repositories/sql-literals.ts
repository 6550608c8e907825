/**
 * A list of the domain's own constant strings (status groups) as SQL literals, for statements whose text names them
 * (so the text, and its prepared plan, stays what it was). Never for values that come from outside.
 */
export function sqlLiterals(values: readonly string[]): string {
  return values.map((value) => `'${value.replace(/'/g, "''")}'`).join(', ');
}
