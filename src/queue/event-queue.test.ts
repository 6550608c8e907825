import { eventJobId, eventRetryDelayMs } from './event-queue';

describe('event retry backoff', () => {
  it('doubles from the base, and the default 13 tries spread over about three days', () => {
    expect([1, 2, 3, 4].map((n) => eventRetryDelayMs(n, 60_000))).toEqual([60_000, 120_000, 240_000, 480_000]);
    const waits = Array.from({ length: 12 }, (_, i) => eventRetryDelayMs(i + 1, 60_000));
    const totalHours = waits.reduce((sum, ms) => sum + ms, 0) / 3_600_000;
    expect(totalHours).toBeCloseTo(68.25, 2);
    expect(waits[11] / 3_600_000).toBeCloseTo(34.13, 1);
  });

  it('names a job by its row, and by its cause when it must not be deduped against an earlier one', () => {
    expect(eventJobId({ kind: 'webhook', id: '42' })).toBe('webhook-42');
    expect(eventJobId({ kind: 'webhook', id: '42', tag: 'after41' })).toBe('webhook-42-after41');
    expect(eventJobId({ kind: 'email', id: '7' })).toBe('email-7');
  });
});
