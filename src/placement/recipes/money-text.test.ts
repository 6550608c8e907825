import { parseMoneyToCents } from './money-text';

describe('parseMoneyToCents', () => {
  it.each([
    ['$12.34', 1234],
    ['$1,234.56', 123456],
    ['USD 12.5', 1250],
    ['$7', 700],
    ['Total: $0.99', 99],
    ['  $57.95.  ', 5795],
    ['$90,071,992,547,409.91', 9007199254740991],
  ])('reads %s as %i cents', (text, cents) => {
    expect(parseMoneyToCents(text)).toBe(cents);
  });

  it.each([['free'], [''], ['12.345'], ['1,23'], ['$90,071,992,547,409.92']])(
    'when %j is not an amount, then it gives undefined rather than a guess',
    (text) => {
      expect(parseMoneyToCents(text)).toBeUndefined();
    },
  );
});
