import { customAlphabet } from 'nanoid';
import type { CardBehaviour } from './test-payment-methods';
import type {
  ChargeObject,
  DisputeObject,
  PaymentIntentObject,
  PaymentMethodObject,
  RefundObject,
  SandboxStats,
} from './types';

export interface PaymentMethodRecord {
  object: PaymentMethodObject;
  behaviour: CardBehaviour;
}

export interface PaymentIntentRecord {
  intent: PaymentIntentObject;
  /** The PaymentMethod the shopper completed 3-D Secure for; confirming with it no longer asks again. */
  authenticatedPaymentMethod?: string;
}

const emptyStats = (): SandboxStats => ({
  paymentIntentsCreated: 0,
  confirms: 0,
  captures: 0,
  cancels: 0,
  refundsCreated: 0,
  requests: 0,
});

/** Everything the sandbox knows, in memory. One account: any test key sees every object. */
export class SandboxState {
  readonly paymentIntents = new Map<string, PaymentIntentRecord>();
  readonly paymentMethods = new Map<string, PaymentMethodRecord>();
  readonly charges = new Map<string, ChargeObject>();
  readonly refunds = new Map<string, RefundObject>();
  readonly disputes = new Map<string, DisputeObject>();
  stats: SandboxStats = emptyStats();
  /** While true, new refunds stay `pending` (as if waiting on the card network) until they are settled. */
  holdingRefunds = false;
  /** Announces a change as a Stripe event (`charge.refunded`, …); the webhook sender delivers it to endpoints. */
  emit: (type: string, object: unknown) => void = () => {};

  clear(): void {
    this.paymentIntents.clear();
    this.paymentMethods.clear();
    this.charges.clear();
    this.refunds.clear();
    this.disputes.clear();
    this.stats = emptyStats();
    this.holdingRefunds = false;
  }
}

const suffix = customAlphabet('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 24);

/** Stripe-looking ids: `pi_3Nx…`, `re_…`, `ch_…`. */
export const newStripeId = (prefix: string): string => `${prefix}_${suffix()}`;

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
