/**
 * The payment provider as the domain sees it. The Stripe implementation lives in stripe-gateway.ts; the
 * services never import the Stripe SDK. Every write takes an idempotency key so that a retry, a crash or a
 * race replays the first outcome instead of moving money twice.
 */
import { DependencyUnavailableError, DomainError } from '../domain/errors';
/**
 * How long a provider idempotency key may be trusted to replay its first request. Stripe remembers a key for at
 * least 24 hours and may forget it after, when the same key would make a new payment or refund; this leaves 4
 * hours of margin. Past it, a step is never repeated blind: it is looked up first, or left to a person.
 */
export const IDEMPOTENCY_KEY_TRUSTED_FOR_MS = 20 * 60 * 60 * 1000;

export interface ChargeRequest {
  amountCents: number;
  currency: string;
  paymentMethodId: string;
  idempotencyKey: string;
  /** 'automatic' charges now; 'manual' only authorizes, for a capture-what-was-placed policy. */
  captureMethod: 'automatic' | 'manual';
  description?: string;
  metadata: Record<string, string>;
}

export type ChargeOutcome =
  | { kind: 'succeeded'; paymentIntentId: string; amountCents: number; capturedCents: number }
  | { kind: 'authorized'; paymentIntentId: string; amountCents: number }
  | { kind: 'declined'; paymentIntentId?: string; declineCode: string; message: string }
  | { kind: 'requires_action'; paymentIntentId: string; clientSecret: string }
  /**
   * The provider refused the request itself, for a reason that is neither the card's nor an outage (an amount
   * above its maximum or below its minimum, a currency it does not take). Nothing was charged, and the same
   * request would be refused again: an outcome to answer, never to retry.
   */
  | { kind: 'refused'; code: string; message: string; param?: string };

export interface PaymentSnapshot {
  paymentIntentId: string;
  status:
    | 'requires_payment_method'
    | 'requires_confirmation'
    | 'requires_action'
    | 'processing'
    | 'requires_capture'
    | 'canceled'
    | 'succeeded';
  amountCents: number;
  capturedCents: number;
  currency: string;
  paymentMethodId?: string;
  clientSecret?: string;
  metadata: Record<string, string>;
}

export interface RefundRequest {
  paymentIntentId: string;
  amountCents: number;
  /** Also recorded on the refund itself, so findRefundByKey can find it once the provider forgets the key. */
  idempotencyKey: string;
  reason?: 'duplicate' | 'fraudulent' | 'requested_by_customer';
  metadata: Record<string, string>;
}

export interface RefundOutcome {
  /** Null when the provider refused the request outright and created no refund. */
  refundId: string | null;
  amountCents: number;
  status: 'pending' | 'succeeded' | 'failed' | 'canceled' | 'requires_action';
  /** The provider's reason when it refused (e.g. charge_already_refunded) or the refund failed later. */
  failureCode?: string;
}

export interface PaymentGateway {
  /** Creates and confirms one payment for the amount. Declines and 3-D Secure are outcomes, not throws. */
  charge(request: ChargeRequest): Promise<ChargeOutcome>;
  retrieve(paymentIntentId: string): Promise<PaymentSnapshot>;
  /** Captures part or all of an authorized payment (capture policy). */
  capture(paymentIntentId: string, amountCents: number, idempotencyKey: string): Promise<PaymentSnapshot>;
  /** Releases an authorization or abandons an unconfirmed payment. */
  cancel(paymentIntentId: string, idempotencyKey: string): Promise<PaymentSnapshot>;
  /**
   * Creates a refund, or replays the first answer for its idempotency key while the provider remembers the key
   * (Stripe: at least 24 hours). Replays are frozen: a refund answered `pending` replays `pending` even after
   * it settled, so follow a known refund with retrieveRefund. A refund the provider refuses (already refunded,
   * more than is left, disputed) is a `failed` outcome; any other error is thrown, nothing being known.
   */
  refund(request: RefundRequest): Promise<RefundOutcome>;
  /** The refund's current state at the provider. */
  retrieveRefund(refundId: string): Promise<RefundOutcome>;
  /** The refund of that payment created with that idempotency key, if there is one; the key outlives Stripe's memory of it. */
  findRefundByKey(paymentIntentId: string, idempotencyKey: string): Promise<RefundOutcome | null>;
  /** The payment, or null when the provider has no such payment. */
  findPayment(paymentIntentId: string): Promise<PaymentSnapshot | null>;
  /** The refund, or null when the provider has no such refund. */
  findRefund(refundId: string): Promise<ProviderRefund | null>;
  /** Every refund of a payment (made by us or in the provider's dashboard), oldest first. */
  listRefundsOfPayment(paymentIntentId: string): Promise<ProviderRefund[]>;
  /** Payments created in [since, until), newest first, every page. */
  listPayments(period: Period): AsyncIterable<ProviderPayment>;
  /** Refunds created in [since, until), newest first, every page. */
  listRefunds(period: Period): AsyncIterable<ProviderRefund>;
  /** Checks a provider webhook's signature on the exact bytes received; throws WebhookSignatureError if it fails. */
  verifyWebhook(rawBody: Buffer, signatureHeader: string, secret: string): ProviderEvent;
}

export interface Period {
  since: Date;
  until: Date;
}

/** A refund as the provider holds it, whoever made it. */
export interface ProviderRefund {
  refundId: string;
  paymentIntentId: string | null;
  amountCents: number;
  currency: string;
  status: RefundOutcome['status'];
  createdAt: Date;
  /** The idempotency key our own refunds carry in their metadata; absent on refunds made elsewhere. */
  idempotencyKey: string | null;
  reason: string | null;
  failureCode?: string;
}

/** A dispute as the provider's events carry it. */
export interface ProviderDispute {
  disputeId: string;
  paymentIntentId: string;
  chargeId: string | null;
  amountCents: number;
  currency: string;
  reason: string | null;
  status: string;
  createdAt: Date;
}

/** A payment as the provider holds it, with what its charge captured and what refunds took back. */
export interface ProviderPayment {
  paymentIntentId: string;
  status: PaymentSnapshot['status'];
  amountCents: number;
  currency: string;
  /** Captured by the charge (0 while only authorized). */
  capturedCents: number;
  /** Refunded from what was captured (refunds pending or succeeded), excluding an authorization's released remainder. */
  refundedCents: number;
  createdAt: Date;
  metadata: Record<string, string>;
}

export interface ProviderEvent {
  id: string;
  type: string;
  /** The event's object (a payment intent, a refund, …) as the provider sent it. */
  object: Record<string, unknown>;
}

/** A correctly signed webhook whose content is not an event we can use (no id, no type, a null data.object). */
export class InvalidWebhookEventError extends DomainError {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super('validation_failed', 'The signed event is not a usable Stripe event', { fields: { [field]: problem } });
    this.name = 'InvalidWebhookEventError';
  }
}

export class WebhookSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookSignatureError';
  }
}

/**
 * The provider could not be reached or answered with a server error or rate limit: the outcome is unknown or
 * nothing happened, and the same call with the same idempotency key may be retried safely.
 */
export class PaymentGatewayUnavailableError extends DependencyUnavailableError {
  constructor(message: string, cause?: unknown) {
    super(message, 'The payment provider is unavailable; retry with the same Idempotency-Key', cause);
    this.name = 'PaymentGatewayUnavailableError';
  }
}
