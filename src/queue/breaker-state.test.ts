import {
  admitCall,
  closedBreaker,
  describeBreaker,
  renewProbe,
  settleCall,
  type BreakerPolicy,
  type BreakerSnapshot,
} from './breaker-state';

const policy: BreakerPolicy = { failureThreshold: 3, windowMs: 1_000, openMs: 5_000, probeLeaseMs: 2_000 };

const fail = (s: BreakerSnapshot, at: number) => settleCall(s, 'failure', false, at, policy);
const failTimes = (times: number[], from: BreakerSnapshot = closedBreaker) => times.reduce(fail, from);
const opened = (at: number) => failTimes([at, at, at]);

describe('breaker state', () => {
  it('lets every call through while closed', () => {
    expect(admitCall(closedBreaker, 0, policy).result).toEqual({ admitted: true, probe: false });
  });

  it('opens when the threshold of failures falls within the window', () => {
    const s = failTimes([100, 200, 300]);
    expect(s.state).toBe('open');
    expect(s.openUntil).toBe(5_300);
  });

  it('stays closed when the failures are spread wider than the window', () => {
    const s = failTimes([0, 600, 1_200]);
    expect(s.state).toBe('closed');
    expect(describeBreaker(s, 1_200, policy).recentFailures).toBe(2);
  });

  it('ignores successes and permanent refusals while closed', () => {
    const s = failTimes([0, 10]);
    expect(settleCall(s, 'success', false, 20, policy)).toBe(s);
    expect(settleCall(s, 'neutral', false, 20, policy)).toBe(s);
    expect(fail(s, 30).state).toBe('open');
  });

  it('rejects calls while open and says when to come back', () => {
    expect(admitCall(opened(0), 1_000, policy).result).toEqual({ admitted: false, reason: 'open', retryInMs: 4_000 });
  });

  it('ignores late outcomes of calls admitted before it opened', () => {
    const s = opened(0);
    expect(settleCall(s, 'success', false, 10, policy)).toBe(s);
    expect(fail(s, 10)).toBe(s);
  });

  it('lets exactly one probe through once the open time is over', () => {
    const first = admitCall(opened(0), 5_000, policy);
    expect(first.result).toEqual({ admitted: true, probe: true });
    expect(first.next.state).toBe('half_open');
    expect(admitCall(first.next, 5_001, policy).result).toEqual({
      admitted: false,
      reason: 'probing',
      retryInMs: 1_999,
    });
  });

  it('closes when the probe succeeds', () => {
    const probing = admitCall(opened(0), 5_000, policy).next;
    const s = settleCall(probing, 'success', true, 5_100, policy);
    expect(s).toBe(closedBreaker);
    expect(admitCall(s, 5_101, policy).result).toEqual({ admitted: true, probe: false });
  });

  it('re-opens for another full period when the probe fails', () => {
    const probing = admitCall(opened(0), 5_000, policy).next;
    const s = settleCall(probing, 'failure', true, 5_100, policy);
    expect(s).toMatchObject({ state: 'open', openUntil: 10_100 });
  });

  it('frees the probe slot when the probe ends neutral, without closing', () => {
    const probing = admitCall(opened(0), 5_000, policy).next;
    const s = settleCall(probing, 'neutral', true, 5_100, policy);
    expect(s.state).toBe('half_open');
    expect(admitCall(s, 5_101, policy).result).toEqual({ admitted: true, probe: true });
  });

  it('hands the probe to someone else when the probe holder vanished', () => {
    const probing = admitCall(opened(0), 5_000, policy).next;
    expect(admitCall(probing, 7_000, policy).result).toEqual({ admitted: true, probe: true });
  });

  it('keeps a long probe its slot while it renews', () => {
    const probing = admitCall(opened(0), 5_000, policy).next;
    const renewed = renewProbe(probing, 6_500, policy);
    expect(admitCall(renewed, 7_000, policy).result).toMatchObject({ admitted: false, reason: 'probing' });
  });

  it('reports an open breaker whose time is up as half-open', () => {
    expect(describeBreaker(opened(0), 4_000, policy)).toEqual({ state: 'open', recentFailures: 0, retryInMs: 1_000 });
    expect(describeBreaker(opened(0), 5_000, policy)).toEqual({ state: 'half_open', recentFailures: 0, retryInMs: 0 });
  });
});
