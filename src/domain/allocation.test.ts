import { allocateProportionally } from './allocation';

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe('allocateProportionally (largest remainder)', () => {
  it('splits $10 over three equal stores to the cent: the leftover cent goes to the first', () => {
    expect(allocateProportionally(1000, [3000, 3000, 3000])).toEqual([334, 333, 333]);
  });

  it('gives 1-cent remainders to the largest fractional parts, and the parts always add up', () => {
    // exact shares: 100 * 100/600 = 16.67, 100 * 2/6 = 33.33, 100 * 3/6 = 50
    expect(allocateProportionally(100, [100, 200, 300])).toEqual([17, 33, 50]);
    expect(allocateProportionally(1, [999, 1, 1])).toEqual([1, 0, 0]);
    expect(allocateProportionally(2, [1, 1, 1])).toEqual([1, 1, 0]);
  });

  it('never gives a store more than its subtotal, and a code larger than the cart is cut to the cart', () => {
    expect(allocateProportionally(5000, [1000, 250, 1])).toEqual([1000, 250, 1]);
    expect(allocateProportionally(1250, [1000, 250])).toEqual([1000, 250]);
  });

  it('moves what a capped part cannot take to the others', () => {
    // weights 1:1 but the second may take only 10: the first takes the rest.
    expect(allocateProportionally(100, [50, 50], [100, 10])).toEqual([90, 10]);
  });

  it('adds up exactly over many awkward splits', () => {
    for (let seed = 1; seed < 300; seed += 1) {
      const weights = [((seed * 37) % 1009) + 1, (seed * 101) % 977, ((seed * 13) % 331) + 7];
      const amount = (seed * 53) % 2500;
      const parts = allocateProportionally(amount, weights);
      expect(sum(parts)).toBe(Math.min(amount, sum(weights)));
      parts.forEach((part, index) => expect(part).toBeLessThanOrEqual(weights[index]));
    }
  });

  it('allocates nothing to nothing', () => {
    expect(allocateProportionally(0, [10, 20])).toEqual([0, 0]);
    expect(allocateProportionally(500, [0, 0])).toEqual([0, 0]);
    expect(allocateProportionally(500, [])).toEqual([]);
  });
});
