import { DomainError } from './errors';

/**
 * The largest single payment the provider takes: Stripe accepts at most eight digits of the smallest currency
 * unit (99,999,999 cents, $999,999.99; https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts).
 * A checkout above it could never be paid, so it is refused while the shopper can still change the cart. It also
 * keeps every total far inside the database's integer columns.
 */
export const MAX_PAYMENT_CENTS = 99_999_999;

/** Distinct lines one cart may hold: enough for any real basket, few enough to keep a checkout's work bounded. */
export const MAX_CART_LINES = 50;

/** Units of one product and variant per line (the database's CHECK says the same). */
export const MAX_LINE_QUANTITY = 99;

export function cartLimitExceeded(message: string, details: Record<string, unknown>): DomainError {
  return new DomainError('cart_limit_exceeded', message, details);
}

/**
 * A checkout total the provider would refuse: said before any payment is tried. Nothing is free: a total of 0 has
 * no payment to make (the provider's minimum, 50 cents for usd, is left to it: it differs by currency).
 */
export function assertPayableTotal(totalCents: number): void {
  if (totalCents < 1)
    throw new DomainError('amount_too_small', 'The checkout total is zero: there is nothing to pay for', {
      totalCents,
    });
  if (totalCents <= MAX_PAYMENT_CENTS) return;
  throw new DomainError(
    'amount_too_large',
    'The checkout total is above the largest payment accepted; remove items from the cart',
    {
      totalCents,
      maxCents: MAX_PAYMENT_CENTS,
    },
  );
}
