/**
 * Checkout session lifecycle:
 *   pending ──place──▶ processing ──paid──▶ placed ──all orders settled──▶ completed | partially_failed | failed
 *   pending ──cancel──▶ cancelled;  processing ──declined──▶ pending (payable again with another method)
 * `expired` is derived: a pending session past its expires_at.
 */
export const SESSION_STATUSES = [
  'pending',
  'processing',
  'placed',
  'completed',
  'partially_failed',
  'failed',
  'cancelled',
] as const;

export type SessionStatus = (typeof SESSION_STATUSES)[number] | 'expired';

/** Sessions whose payment succeeded: they own orders. */
export const PAID_SESSION_STATUSES = ['placed', 'completed', 'partially_failed', 'failed'] as const;
