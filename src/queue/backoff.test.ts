import { TransientPlacementError } from '../placement/placement-adapter';
import { computeBackoffMs, spreadDelayMs } from './backoff';

const policy = { baseMs: 1_000, maxMs: 10_000 };
const top = () => 0.999_999;

describe('computeBackoffMs', () => {
  it('doubles the ceiling with every failed attempt', () => {
    expect([1, 2, 3, 4].map((n) => computeBackoffMs(n, policy, undefined, top))).toEqual([999, 1_999, 3_999, 7_999]);
  });

  it('never exceeds the cap, however many attempts failed', () => {
    expect(computeBackoffMs(5, policy, undefined, top)).toBe(9_999);
    expect(computeBackoffMs(60, policy, undefined, top)).toBe(9_999);
  });

  it('picks anywhere from zero up to the ceiling (full jitter)', () => {
    expect(computeBackoffMs(3, policy, undefined, () => 0)).toBe(0);
    expect(computeBackoffMs(3, policy, undefined, () => 0.5)).toBe(2_000);
  });

  it('waits as long as the retailer asked when that is longer', () => {
    const rateLimited = new TransientPlacementError('429', 45_000);
    expect(computeBackoffMs(1, policy, rateLimited, top)).toBe(45_000);
  });

  it('keeps the computed delay when the retailer asked for less', () => {
    const briefly = new TransientPlacementError('503', 10);
    expect(computeBackoffMs(3, policy, briefly, () => 0.5)).toBe(2_000);
  });

  it('ignores retry hints on errors that are not transient placement errors', () => {
    const other = Object.assign(new Error('boom'), { retryAfterMs: 99_000 });
    expect(computeBackoffMs(1, policy, other, () => 0.5)).toBe(500);
  });
});

describe('spreadDelayMs', () => {
  it('adds up to a quarter on top, never less than asked', () => {
    expect(spreadDelayMs(1_000, () => 0)).toBe(1_000);
    expect(spreadDelayMs(1_000, top)).toBe(1_249);
  });

  it('treats negative delays as none', () => {
    expect(spreadDelayMs(-5, top)).toBe(0);
  });
});
