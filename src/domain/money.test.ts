import { spreadCents } from './money';

describe('spreadCents', () => {
  it('shares in proportion to the weights, half-up, adding up to the amount exactly', () => {
    expect(spreadCents(1000, [3000, 1000])).toEqual([750, 250]);
    expect(spreadCents(2, [1, 1, 1]).reduce((a, b) => a + b, 0)).toBe(2);
    expect(spreadCents(1, [1, 1])).toEqual([1, 0]);
    expect(spreadCents(5, [3, 3, 3])).toEqual([2, 2, 1]);
  });

  it('never gives a part more than its weight, and an amount equal to the weights gives each its weight', () => {
    expect(spreadCents(7, [7, 0])).toEqual([7, 0]);
    expect(spreadCents(4135, [2681, 3499, 0])).toEqual([1794, 2341, 0]); // 1793.8 and 2341.2
    expect(spreadCents(6180, [2681, 3499])).toEqual([2681, 3499]);
  });

  it('refuses more than the weights hold', () => {
    expect(() => spreadCents(11, [5, 5])).toThrow(RangeError);
  });
});
