import type { CartSnapshot } from '../domain/cart-snapshot';
import type { CheckoutSessionRecord } from '../domain/checkout-session';

/** How checkout sessions are read from rows and how a cart snapshot is written to them. */

/** What `toSession` reads, named rather than `*` so the prepared statements below keep their result type. */
export const SESSION_COLUMNS = [
  'id',
  'user_id',
  'status',
  'cart_snapshot',
  'shipping_address',
  'payment_method_id',
  'currency',
  'total_cents',
  'payment_intent_id',
  'payment_attempt',
  'place_idempotency_key',
  'lease_expires_at',
  'expires_at',
  'placed_at',
  'created_at',
];

export const toSession = (row: Record<string, any>): CheckoutSessionRecord => ({
  id: row.id,
  userId: row.user_id,
  status: row.status,
  cartSnapshot: row.cart_snapshot,
  shippingAddress: row.shipping_address,
  paymentMethodId: row.payment_method_id,
  currency: row.currency,
  totalCents: row.total_cents,
  paymentIntentId: row.payment_intent_id,
  paymentAttempt: row.payment_attempt,
  placeIdempotencyKey: row.place_idempotency_key,
  leaseExpiresAt: row.lease_expires_at,
  expiresAt: row.expires_at,
  placedAt: row.placed_at,
  createdAt: row.created_at,
});

export const snapshotColumns = (snapshot: CartSnapshot) => ({
  cart_snapshot: JSON.stringify(snapshot),
  currency: snapshot.currency,
  subtotal_cents: snapshot.summary.subtotalCents,
  shipping_cents: snapshot.summary.shippingCents,
  tax_cents: snapshot.summary.taxCents,
  discount_cents: snapshot.summary.discountCents ?? 0,
  total_cents: snapshot.summary.totalCents,
});
