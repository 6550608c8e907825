/**
 * Money is integer cents everywhere. The one rounding rule of the service lives here: half-up to the cent.
 */
export type Cents = number;

/** The least a card payment can be (Stripe's minimum charge in USD): a promo code never takes a checkout below it. */
export const MIN_CHARGE_CENTS = 50;

/** `amount * basisPoints / 10_000`, rounded half-up, in integer arithmetic (no float ever touches cents). */
export function applyBasisPoints(amountCents: Cents, basisPoints: number): Cents {
  assertCents(amountCents);
  if (!Number.isInteger(basisPoints) || basisPoints < 0) throw new RangeError(`bad basis points ${basisPoints}`);
  const product = BigInt(amountCents) * BigInt(basisPoints);
  return Number((product + 5_000n) / 10_000n);
}

export function sumCents(values: readonly Cents[]): Cents {
  return values.reduce((total, value) => total + value, 0);
}

export function assertCents(value: number): asserts value is Cents {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`not a non-negative integer amount of cents: ${value}`);
}

/** `amount * part / whole`, rounded half-up: a proportional share (e.g. the tax on some of an order's items). */
export function proportionalShare(amountCents: Cents, part: Cents, whole: Cents): Cents {
  assertCents(amountCents);
  assertCents(part);
  if (whole <= 0) return 0;
  const numerator = BigInt(amountCents) * BigInt(part) * 2n + BigInt(whole);
  return Number(numerator / (BigInt(whole) * 2n));
}

/**
 * Splits `amountCents` over parts in proportion to their weights (each part's share rounded half-up, as
 * `proportionalShare` rounds a tax share), then settles the rounding so the shares add up to the amount exactly
 * and none exceeds its weight: cents missing go to the first parts with room, cents over come off the last.
 * The amount must not exceed the sum of the weights.
 */
export function spreadCents(amountCents: Cents, weights: readonly Cents[]): Cents[] {
  assertCents(amountCents);
  const whole = sumCents(weights);
  if (amountCents > whole) throw new RangeError(`cannot spread ${amountCents} over ${whole}`);
  const shares = weights.map((weight) => Math.min(weight, proportionalShare(amountCents, weight, whole)));
  let off = amountCents - sumCents(shares);
  for (let index = 0; off > 0 && index < shares.length; index += 1) {
    const room = Math.min(weights[index] - shares[index], off);
    shares[index] += room;
    off -= room;
  }
  for (let index = shares.length - 1; off < 0 && index >= 0; index -= 1) {
    const take = Math.min(shares[index], -off);
    shares[index] -= take;
    off += take;
  }
  return shares;
}

/**
 * What the shopper paid for some of an order's items, worth `valueCents` at their snapshot prices: their share of
 * what the order's items cost after its discount, tax included. Without a discount this is the value plus its share
 * of the tax; with one, a refund of those items returns what was really paid for them, never the undiscounted price.
 */
export function paidForItems(
  valueCents: Cents,
  order: { subtotalCents: Cents; taxCents: Cents; itemsDiscountCents: Cents },
): Cents {
  return proportionalShare(
    order.subtotalCents - order.itemsDiscountCents + order.taxCents,
    valueCents,
    order.subtotalCents,
  );
}
