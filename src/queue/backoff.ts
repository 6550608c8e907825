import { TransientPlacementError } from '../placement/placement-adapter';

export interface BackoffPolicy {
  /** Ceiling of the first retry's delay; each later retry doubles it. */
  baseMs: number;
  /** No computed delay exceeds this (a retailer's Retry-After still can). */
  maxMs: number;
}

export const defaultBackoffPolicy: BackoffPolicy = { baseMs: 5_000, maxMs: 10 * 60_000 };

/** A source of uniform numbers in [0, 1); injectable so tests can pin the jitter. */
export type Random = () => number;

/**
 * Delay before retrying after attempt number `failedAttempt` (1-based) failed: exponential with full jitter
 * (a uniform pick in [0, min(max, base·2^(n-1))), which spreads a burst of failures instead of retrying them in
 * lockstep), raised to the retailer's `retryAfterMs` when it asked for longer.
 */
export function computeBackoffMs(
  failedAttempt: number,
  policy: BackoffPolicy,
  error?: unknown,
  random: Random = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failedAttempt - 1));
  const jittered = Math.floor(random() * ceiling);
  const retryAfter = error instanceof TransientPlacementError ? (error.retryAfterMs ?? 0) : 0;
  return Math.max(jittered, retryAfter);
}

/**
 * Spreads a "try again later" delay over [ms, 1.25·ms) so jobs held back together (a busy store, an open breaker)
 * do not all come back in the same instant.
 */
export function spreadDelayMs(ms: number, random: Random = Math.random): number {
  const floor = Math.max(0, Math.ceil(ms));
  return floor + Math.floor(random() * floor * 0.25);
}
