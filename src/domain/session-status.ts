import { DomainError } from './errors';

/**
 * The checkout session's state machine as data:
 *   pending ──place──▶ processing ──paid──▶ placed ──all orders settled──▶ completed | partially_failed | failed
 *   pending ──cancel──▶ cancelled;  processing ──declined──▶ pending (payable again with another method)
 * `expired` is derived: a pending session past its expires_at. Every move the checkout-sessions repository makes
 * names its `from → to` through `sessionMove`, which checks it against `SESSION_TRANSITIONS`.
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

/** What the database holds. */
export type StoredSessionStatus = (typeof SESSION_STATUSES)[number];

/** What the shopper sees: the stored status, or `expired` for a pending session past its time. */
export const SESSION_VIEW_STATUSES = [...SESSION_STATUSES, 'expired'] as const;
export type SessionStatus = (typeof SESSION_VIEW_STATUSES)[number];

/** A settled checkout's outcome, from its orders: none failed, some did, all did. */
export const SESSION_OUTCOMES = [
  'completed',
  'partially_failed',
  'failed',
] as const satisfies readonly StoredSessionStatus[];

/** Sessions whose payment succeeded: they own orders. */
export const PAID_SESSION_STATUSES = ['placed', ...SESSION_OUTCOMES] as const satisfies readonly StoredSessionStatus[];

/** Sessions that may still hold a PaymentIntent from an earlier place the shopper could have paid. */
export const EARLIER_PAYMENT_STATUSES = ['pending', 'cancelled'] as const satisfies readonly StoredSessionStatus[];

export const SESSION_TRANSITIONS: Record<StoredSessionStatus, readonly StoredSessionStatus[]> = {
  pending: ['processing', 'cancelled'],
  // processing → pending: the payment did not go through (declined, 3-D Secure); the session is payable again.
  processing: ['pending', 'placed'],
  placed: [...SESSION_OUTCOMES],
  // A settled checkout whose orders changed since (cancelled later, placed on an ops retry) is settled again.
  completed: ['partially_failed', 'failed'],
  partially_failed: ['completed', 'failed'],
  failed: ['completed', 'partially_failed'],
  cancelled: [],
};

export function canMoveSession(from: StoredSessionStatus, to: StoredSessionStatus): boolean {
  return SESSION_TRANSITIONS[from].includes(to);
}

export interface SessionMove<
  From extends StoredSessionStatus = StoredSessionStatus,
  To extends StoredSessionStatus = StoredSessionStatus,
> {
  from: From;
  to: To;
}

/**
 * Names one move of a checkout session, checked against the table. The repository declares its moves with it once,
 * at load, so a move the table does not allow is a programming error that stops the process before any request.
 */
export function sessionMove<From extends StoredSessionStatus, To extends StoredSessionStatus>(
  from: From,
  to: To,
): SessionMove<From, To> {
  if (!canMoveSession(from, to)) {
    throw new DomainError('invalid_transition', `A checkout session cannot move from ${from} to ${to}`, { from, to });
  }
  return { from, to };
}

export function isPaidSessionStatus(status: string): status is (typeof PAID_SESSION_STATUSES)[number] {
  return (PAID_SESSION_STATUSES as readonly string[]).includes(status);
}
