import type { ShippingAddress } from './address';
import type { CartSnapshot } from './cart-snapshot';
import type { StoredSessionStatus } from './session-status';

export interface CheckoutSessionRecord {
  id: string;
  userId: string;
  status: StoredSessionStatus;
  cartSnapshot: CartSnapshot;
  shippingAddress: ShippingAddress | null;
  paymentMethodId: string | null;
  currency: string;
  totalCents: number;
  paymentIntentId: string | null;
  paymentAttempt: number;
  placeIdempotencyKey: string | null;
  leaseExpiresAt: Date | null;
  expiresAt: Date;
  placedAt: Date | null;
  createdAt: Date;
}
