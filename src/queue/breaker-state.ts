/**
 * The per-store circuit breaker's rules as pure functions over a snapshot, so the in-memory breaker and the Redis
 * one (which stores the snapshot and swaps it atomically) cannot drift apart.
 *
 *   closed ──(failureThreshold transient failures within windowMs)──▶ open
 *   open ──(openMs elapsed; the next caller becomes the one probe)──▶ half_open
 *   half_open ──success──▶ closed        half_open ──failure──▶ open (for another openMs)
 *
 * While half-open only the probe is let through; its slot is a lease (renewed while it runs) so a probe whose
 * worker crashed does not keep the store shut forever.
 *
 * Not cockatiel's CircuitBreakerPolicy: its state lives in one process and it wraps the call itself, while here
 * the state must be shared by every worker through Redis and an open breaker must delay the job, not fail it.
 */
export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerPolicy {
  failureThreshold: number;
  windowMs: number;
  openMs: number;
  /** How long a probe holds the half-open slot without renewing it. */
  probeLeaseMs: number;
}

export const defaultBreakerPolicy: BreakerPolicy = {
  failureThreshold: 5,
  windowMs: 60_000,
  openMs: 30_000,
  probeLeaseMs: 60_000,
};

export interface BreakerSnapshot {
  state: BreakerState;
  /** When the recent transient failures happened (ms, oldest first); only kept while closed. */
  failures: number[];
  /** While open: when the next caller may probe. */
  openUntil: number;
  /** While half-open: until when the current probe holds the slot; 0 when nobody does. */
  probeUntil: number;
}

export const closedBreaker: BreakerSnapshot = Object.freeze({
  state: 'closed',
  failures: Object.freeze([]) as unknown as number[],
  openUntil: 0,
  probeUntil: 0,
});

export type BreakerAdmission =
  { admitted: true; probe: boolean } | { admitted: false; reason: 'open' | 'probing'; retryInMs: number };

/** How a call that was let through ended. Permanent refusals say nothing about the store's health: neutral. */
export type BreakerOutcome = 'success' | 'failure' | 'neutral';

export interface BreakerStatus {
  state: BreakerState;
  /** Transient failures counted towards opening (closed state only). */
  recentFailures: number;
  /** While open: how long until a probe may go through; otherwise 0. */
  retryInMs: number;
}

/** Transitions return the very same snapshot object when nothing changed, so stores can skip the write. */
export interface BreakerTransition<T> {
  next: BreakerSnapshot;
  result: T;
}

export function admitCall(s: BreakerSnapshot, now: number, policy: BreakerPolicy): BreakerTransition<BreakerAdmission> {
  switch (s.state) {
    case 'closed':
      return { next: s, result: { admitted: true, probe: false } };
    case 'open':
      if (now < s.openUntil) {
        return { next: s, result: { admitted: false, reason: 'open', retryInMs: s.openUntil - now } };
      }
      return { next: holdProbe(now, policy), result: { admitted: true, probe: true } };
    case 'half_open':
      if (now < s.probeUntil) {
        return { next: s, result: { admitted: false, reason: 'probing', retryInMs: s.probeUntil - now } };
      }
      return { next: holdProbe(now, policy), result: { admitted: true, probe: true } };
  }
}

/**
 * Records how an admitted call ended. Outcomes of calls admitted before the breaker opened are ignored while it is
 * open; while half-open any success closes it and any failure re-opens it (the probe's or a straggler's).
 */
export function settleCall(
  s: BreakerSnapshot,
  outcome: BreakerOutcome,
  wasProbe: boolean,
  now: number,
  policy: BreakerPolicy,
): BreakerSnapshot {
  switch (s.state) {
    case 'closed': {
      if (outcome !== 'failure') return s;
      const failures = [...recentFailures(s, now, policy), now].slice(-policy.failureThreshold);
      if (failures.length >= policy.failureThreshold) {
        return { state: 'open', failures: [], openUntil: now + policy.openMs, probeUntil: 0 };
      }
      return { ...s, failures };
    }
    case 'open':
      return s;
    case 'half_open':
      if (outcome === 'success') return closedBreaker;
      if (outcome === 'failure') return { state: 'open', failures: [], openUntil: now + policy.openMs, probeUntil: 0 };
      return wasProbe ? { ...s, probeUntil: 0 } : s;
  }
}

/** Keeps a long-running probe's slot. Only the probe's holder calls it. */
export function renewProbe(s: BreakerSnapshot, now: number, policy: BreakerPolicy): BreakerSnapshot {
  return s.state === 'half_open' ? { ...s, probeUntil: now + policy.probeLeaseMs } : s;
}

/** The breaker as callers would meet it now: an open breaker whose time is up reports half-open. */
export function describeBreaker(s: BreakerSnapshot, now: number, policy: BreakerPolicy): BreakerStatus {
  if (s.state === 'open' && now >= s.openUntil) return { state: 'half_open', recentFailures: 0, retryInMs: 0 };
  return {
    state: s.state,
    recentFailures: s.state === 'closed' ? recentFailures(s, now, policy).length : 0,
    retryInMs: s.state === 'open' ? s.openUntil - now : 0,
  };
}

function holdProbe(now: number, policy: BreakerPolicy): BreakerSnapshot {
  return { state: 'half_open', failures: [], openUntil: 0, probeUntil: now + policy.probeLeaseMs };
}

function recentFailures(s: BreakerSnapshot, now: number, policy: BreakerPolicy): number[] {
  return s.failures.filter((at) => now - at < policy.windowMs);
}
