/**
 * Every idempotency key we send to a provider (Stripe, a retailer) or write to the ledger, in one place. A key's
 * value is what lets a retry, a crash recovery or a sweep find the work already done: changing a template breaks the
 * resumption of work in flight under the old one, so these strings change only with a migration of the old keys.
 */
import { createHash } from 'node:crypto';

interface PaymentAttempt {
  id: string;
  paymentAttempt: number;
}

/** The charge (or authorization) of one payment attempt: a retry of the same attempt can never charge twice. */
export const chargeKey = (session: PaymentAttempt) => `${session.id}:charge:${session.paymentAttempt}`;

/** Cancelling one earlier PaymentIntent of a session during one payment attempt. */
export const cancelKey = (session: PaymentAttempt, paymentIntentId: string) =>
  `${session.id}:cancel:${session.paymentAttempt}:${paymentIntentId}`;

/** Capturing a checkout's authorization (capture policy after_placement). */
export const captureKey = (sessionId: string) => `${sessionId}:capture`;

/** Releasing a checkout's whole authorization when none of its orders is bought. */
export const voidKey = (sessionId: string) => `${sessionId}:void`;

/**
 * The refund a failed placement owes. `failedRefunds` counts the refunds of this order the provider refused: a later
 * failure of the same order (after an ops retry) asks again under a new key, while a pending one keeps its key.
 */
export const placementFailedRefundKey = (orderNumber: string, failedRefunds: number) =>
  `${orderNumber}:refund:placement-failed:${failedRefunds}`;

/** The refund an order cancelled by an admin owes. */
export const cancelledRefundKey = (orderNumber: string) => `${orderNumber}:refund:cancelled`;

/** The refund an order the retailer cancelled owes. */
export const retailerCancelledRefundKey = (orderNumber: string) => `${orderNumber}:refund:retailer-cancelled`;

/**
 * An admin's refund, scoped by who asked and their request's Idempotency-Key (hashed: the header is the admin's
 * text, of any length, and two admins may pick the same one).
 */
export function adminRefundKey(orderNumber: string, adminUserId: string, requestKey: string): string {
  const scope = createHash('sha256').update(`${adminUserId}\n${requestKey}`).digest('hex').slice(0, 32);
  return `${orderNumber}:refund:admin:${scope}`;
}

/** The ledger row of the part of a lost dispute that falls to one order. */
export const disputeLossKey = (disputeId: string, orderId: string) => `stripe:${disputeId}:${orderId}`;

/** The ledger row of one order's share of a refund made outside our API (the Stripe Dashboard). */
export const outsideRefundKey = (refundId: string, orderId: string) => `stripe:${refundId}:${orderId}`;

/** The ledger row of the discount we fund on an order, as SQL over the column holding its order number. */
export const discountKeySql = (orderNumberColumn: string) => `${orderNumberColumn} || ':discount'`;

/**
 * What a retailer's API dedupes an order's creation by: the order number itself (also its external reference),
 * so a retry can never buy twice.
 */
export const retailerOrderKey = (orderNumber: string) => orderNumber;
