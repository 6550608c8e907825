import { assertCents, type Cents } from './money';

/**
 * The one rule for splitting an amount of cents over parts in proportion to their weights (a discount over the
 * store orders by their subtotals): largest remainder. Each part gets the floor of its exact share; the cents
 * left over go one each to the parts with the largest fractional remainders (ties: the earlier part). The parts
 * add up exactly to the amount, no part exceeds its cap (its weight unless caps are given), and an amount larger
 * than all the caps together is cut to their sum: the answer's sum is `min(amount, Σ caps)`.
 */
export function allocateProportionally(
  amountCents: Cents,
  weights: readonly Cents[],
  caps: readonly Cents[] = weights,
): Cents[] {
  assertCents(amountCents);
  weights.forEach(assertCents);
  caps.forEach(assertCents);
  if (caps.length !== weights.length) throw new RangeError('one cap per weight');
  const parts = weights.map(() => 0);
  let left = Math.min(
    amountCents,
    caps.reduce((sum, cap) => sum + cap, 0),
  );
  // Capped parts leave the round with their cap; the rest share what is left. Each round caps at least one part or
  // finishes, so it ends within weights.length rounds.
  let open = weights.map((_, index) => index).filter((index) => caps[index] > 0);
  while (left > 0 && open.length > 0) {
    const shares = largestRemainder(
      left,
      open.map((index) => weights[index] || 1),
    );
    const over = open.filter((index, at) => shares[at] > caps[index] - parts[index]);
    if (over.length === 0) {
      open.forEach((index, at) => (parts[index] += shares[at]));
      break;
    }
    for (const index of over) {
      left -= caps[index] - parts[index];
      parts[index] = caps[index];
    }
    open = open.filter((index) => !over.includes(index));
  }
  return parts;
}

function largestRemainder(amount: number, weights: readonly number[]): number[] {
  const whole = BigInt(weights.reduce((sum, weight) => sum + weight, 0));
  const exact = weights.map((weight) => BigInt(amount) * BigInt(weight));
  const shares = exact.map((product) => Number(product / whole));
  let rest = amount - shares.reduce((sum, share) => sum + share, 0);
  const byRemainder = exact
    .map((product, index) => ({ index, remainder: product % whole }))
    .sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const { index } of byRemainder) {
    if (rest === 0) break;
    shares[index] += 1;
    rest -= 1;
  }
  return shares;
}
