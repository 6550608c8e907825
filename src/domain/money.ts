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
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a non-negative integer amount of cents: ${value}`);
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
 * What the shopper paid for some of an order's items, worth `valueCents` at their snapshot prices: their share of
 * what the order's items cost after its discount, tax included. Without a discount this is the value plus its share
 * of the tax; with one, a refund of those items returns what was really paid for them, never the undiscounted price.
 */
export function paidForItems(
  valueCents: Cents,
  order: { subtotalCents: Cents; taxCents: Cents; itemsDiscountCents: Cents },
): Cents {
  return proportionalShare(order.subtotalCents - order.itemsDiscountCents + order.taxCents, valueCents, order.subtotalCents);
}
