/**
 * The Stripe objects the sandbox serves, shaped like the real API's JSON (a subset of the fields; the ones a
 * merchant integration reads), plus the sandbox's own control types.
 */

export type PaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'canceled'
  | 'succeeded';

export type CaptureMethod = 'automatic' | 'automatic_async' | 'manual';

export interface LastPaymentError {
  type: 'card_error' | 'invalid_request_error';
  code: string;
  decline_code?: string;
  message: string;
  charge?: string;
  doc_url?: string;
  payment_method?: PaymentMethodObject;
}

export interface NextAction {
  type: 'use_stripe_sdk';
  use_stripe_sdk: { type: 'three_d_secure_redirect'; stripe_js: string; source: string };
}

export interface PaymentIntentObject {
  id: string;
  object: 'payment_intent';
  allowed_payment_method_types: string[] | null;
  amount: number;
  amount_capturable: number;
  amount_received: number;
  automatic_payment_methods: { enabled: boolean; allow_redirects?: 'always' | 'never' } | null;
  canceled_at: number | null;
  cancellation_reason: string | null;
  capture_method: CaptureMethod;
  client_secret: string;
  confirmation_method: 'automatic' | 'manual';
  created: number;
  currency: string;
  customer: string | null;
  description: string | null;
  last_payment_error: LastPaymentError | null;
  latest_charge: string | null;
  livemode: false;
  metadata: Record<string, string>;
  next_action: NextAction | null;
  payment_method: string | null;
  payment_method_types: string[];
  receipt_email: string | null;
  statement_descriptor: string | null;
  status: PaymentIntentStatus;
}

export interface CardDetails {
  brand: string;
  last4: string;
  exp_month: number;
  exp_year: number;
  funding: 'credit' | 'debit' | 'prepaid';
  country: string;
}

export interface PaymentMethodObject {
  id: string;
  object: 'payment_method';
  type: 'card';
  card: CardDetails;
  created: number;
  customer: string | null;
  livemode: false;
  metadata: Record<string, string>;
}

export interface ChargeObject {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  /** Includes an authorization's released remainder after a partial capture, as Stripe reports it. */
  amount_refunded: number;
  captured: boolean;
  created: number;
  currency: string;
  failure_code: string | null;
  failure_message: string | null;
  livemode: false;
  metadata: Record<string, string>;
  paid: boolean;
  payment_intent: string;
  payment_method: string;
  refunded: boolean;
  status: 'succeeded' | 'failed';
  /** Set once a dispute is opened on the charge. */
  disputed?: boolean;
}

export type RefundReason = 'duplicate' | 'fraudulent' | 'requested_by_customer';

export interface RefundObject {
  id: string;
  object: 'refund';
  amount: number;
  balance_transaction: string;
  charge: string;
  created: number;
  currency: string;
  metadata: Record<string, string>;
  payment_intent: string;
  reason: RefundReason | null;
  /** `pending` only while the sandbox holds refunds (see SandboxControls.holdRefunds). */
  status: 'pending' | 'succeeded' | 'failed';
  /** Present once a refund has failed, as Stripe reports it (e.g. `expired_or_canceled_card`). */
  failure_reason?: string;
}

export interface RefundList {
  object: 'list';
  url: '/v1/refunds';
  has_more: boolean;
  data: RefundObject[];
}

export interface SandboxStats {
  paymentIntentsCreated: number;
  /** Every confirmation attempt: `confirm=true` on create and each POST …/confirm. */
  confirms: number;
  captures: number;
  cancels: number;
  refundsCreated: number;
  /** Every request to the Stripe API surface (/v1), including rejected and faulted ones. */
  requests: number;
}

/** Restricts a fault to requests whose path starts with `path` (and, optionally, to one method). */
interface FaultScope {
  path?: string;
  method?: 'GET' | 'POST';
}

/**
 * A fault for the next `count` matching API requests. A status fault answers with that status; with
 * `afterCommit` the operation is performed (and saved for idempotent replay) first, so the caller is charged
 * but never sees it. A hang never answers, for client timeouts.
 */
export type FaultSpec =
  | (FaultScope & { count: number; status: 500 | 503 | 429; afterCommit?: boolean })
  | (FaultScope & { count: number; kind: 'hang' });

export type DisputeStatus =
  | 'warning_needs_response'
  | 'warning_under_review'
  | 'warning_closed'
  | 'needs_response'
  | 'under_review'
  | 'won'
  | 'lost';

export interface DisputeObject {
  id: string;
  object: 'dispute';
  amount: number;
  balance_transactions: string[];
  charge: string;
  created: number;
  currency: string;
  is_charge_refundable: boolean;
  livemode: false;
  metadata: Record<string, string>;
  payment_intent: string;
  reason: string;
  status: DisputeStatus;
}

/** An event as Stripe sends it to a webhook endpoint (https://docs.stripe.com/api/events/object). */
export interface StripeEventObject {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: unknown };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}
