import Stripe from 'stripe';
import {
  InvalidWebhookEventError,
  WebhookSignatureError,
  type ProviderEvent,
  type ChargeOutcome,
  type ChargeRequest,
  type PaymentGateway,
  type Period,
  type ProviderRefund,
  type RefundOutcome,
  type RefundRequest,
} from './payment-gateway';
import {
  REFUND_KEY_METADATA,
  toProviderPayment,
  toProviderRefund,
  toRefundOutcome,
  toSnapshot,
} from './stripe-objects';
import { asDecline, asRefusal, translateError, call, orNull, paged } from './stripe-errors';

/**
 * Stripe's error codes for a refund it will not make (https://docs.stripe.com/error-codes). Any other invalid
 * request (a bad parameter, an unknown PaymentIntent, a wrong mode) says nothing about whether the money can go
 * back: recording it as a failed refund would free the order's refundable cents for another key, so it is thrown.
 */
const REFUND_REFUSALS: ReadonlySet<string> = new Set([
  'amount_too_large',
  'charge_already_refunded',
  'charge_disputed',
  'charge_not_refundable',
  'refund_disputed_payment',
]);

export interface StripeGatewayOptions {
  secretKey: string;
  /** A Stripe-compatible server such as the sandbox (`STRIPE_API_URL`, e.g. http://127.0.0.1:12111); api.stripe.com when absent. */
  apiUrl?: string;
  /** Per attempt; stripe-node's default is 80 s, too long to hold a shopper's checkout. */
  timeoutMs?: number;
  /** stripe-node retries connection errors, 409s and 5xx with backoff, always with the same idempotency key. */
  maxNetworkRetries?: number;
}

/**
 * The PaymentGateway on Stripe PaymentIntents. Every write carries the caller's idempotency key, so stripe-node's
 * own retries and ours replay Stripe's first answer instead of moving money twice. Card declines and 3-D Secure
 * come back as outcomes; "could not reach Stripe / Stripe failed" is a PaymentGatewayUnavailableError that is
 * safe to retry with the same key; anything else (a bad request, a bad key) is a bug and is rethrown.
 */
export function createStripeGateway(options: StripeGatewayOptions): PaymentGateway {
  const stripe = new Stripe(options.secretKey, {
    ...connectionOptions(options.apiUrl),
    timeout: options.timeoutMs ?? 20_000,
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    telemetry: false,
  });

  return {
    async charge(request: ChargeRequest): Promise<ChargeOutcome> {
      try {
        const intent = await stripe.paymentIntents.create(
          {
            amount: request.amountCents,
            currency: request.currency,
            payment_method: request.paymentMethodId,
            confirm: true,
            capture_method: request.captureMethod,
            // Cards only. Without this Stripe offers the Dashboard's dynamic payment methods and, since some
            // redirect, refuses to confirm without a return_url. (`payment_method_types` is gone since API 2026-08-26.)
            allowed_payment_method_types: ['card'],
            description: request.description,
            metadata: request.metadata,
          },
          { idempotencyKey: request.idempotencyKey },
        );
        return toChargeOutcome(intent);
      } catch (error) {
        const refusal = asDecline(error) ?? asRefusal(error);
        if (refusal) return refusal;
        throw translateError(error);
      }
    },

    retrieve: (paymentIntentId) => call(() => stripe.paymentIntents.retrieve(paymentIntentId)).then(toSnapshot),

    capture: (paymentIntentId, amountCents, idempotencyKey) =>
      call(() =>
        stripe.paymentIntents.capture(paymentIntentId, { amount_to_capture: amountCents }, { idempotencyKey }),
      ).then(toSnapshot),

    cancel: (paymentIntentId, idempotencyKey) =>
      call(() => stripe.paymentIntents.cancel(paymentIntentId, {}, { idempotencyKey })).then(toSnapshot),

    async refund(request: RefundRequest): Promise<RefundOutcome> {
      try {
        const refund = await stripe.refunds.create(
          {
            payment_intent: request.paymentIntentId,
            amount: request.amountCents,
            reason: request.reason,
            metadata: { ...request.metadata, [REFUND_KEY_METADATA]: request.idempotencyKey },
          },
          { idempotencyKey: request.idempotencyKey },
        );
        return toRefundOutcome(refund);
      } catch (error) {
        // A refund Stripe refuses (already refunded, more than is left, a disputed charge) will be refused again
        // with the same key: an outcome to record, not an outage to retry.
        if (error instanceof Stripe.errors.StripeInvalidRequestError && REFUND_REFUSALS.has(error.code ?? '')) {
          return { refundId: null, amountCents: request.amountCents, status: 'failed', failureCode: error.code };
        }
        throw translateError(error);
      }
    },

    retrieveRefund: (refundId) => call(() => stripe.refunds.retrieve(refundId)).then(toRefundOutcome),

    findRefundByKey: (paymentIntentId, idempotencyKey) =>
      call(async () => {
        // stripe-node pages through the whole list; one payment rarely has more than a handful of refunds.
        for await (const refund of stripe.refunds.list({ payment_intent: paymentIntentId, limit: 100 })) {
          if (refund.metadata?.[REFUND_KEY_METADATA] === idempotencyKey) return toRefundOutcome(refund);
        }
        return null;
      }),

    findPayment: (paymentIntentId) =>
      orNull(() => stripe.paymentIntents.retrieve(paymentIntentId)).then((intent) =>
        intent ? toSnapshot(intent) : null,
      ),

    findRefund: (refundId) =>
      orNull(() => stripe.refunds.retrieve(refundId)).then((refund) => (refund ? toProviderRefund(refund) : null)),

    listRefundsOfPayment: (paymentIntentId) =>
      call(async () => {
        const refunds: ProviderRefund[] = [];
        for await (const refund of stripe.refunds.list({ payment_intent: paymentIntentId, limit: 100 }))
          refunds.push(toProviderRefund(refund));
        return refunds.reverse();
      }),

    listPayments: (period) =>
      // stripe-node's auto-pagination: each page asks for the next with starting_after = the last id, while has_more.
      paged(
        stripe.paymentIntents.list({ created: createdRange(period), limit: 100, expand: ['data.latest_charge'] }),
        toProviderPayment,
      ),

    listRefunds: (period) =>
      paged(stripe.refunds.list({ created: createdRange(period), limit: 100 }), toProviderRefund),

    verifyWebhook(rawBody: Buffer, signatureHeader: string, secret: string): ProviderEvent {
      let event: Stripe.Event;
      try {
        // Stripe signs the exact bytes it sent and rejects timestamps older than 5 minutes.
        event = stripe.webhooks.constructEvent(rawBody, signatureHeader, secret);
      } catch (error) {
        throw new WebhookSignatureError((error as Error).message);
      }
      // Signed is not the same as well formed: the signing secret may have signed anything.
      const { id, type, data } = event as Partial<Stripe.Event>;
      if (typeof id !== 'string' || id.length === 0 || id.length > 255)
        throw new InvalidWebhookEventError('id', 'must be an event id');
      if (typeof type !== 'string' || type.length === 0 || type.length > 255)
        throw new InvalidWebhookEventError('type', 'must be an event type');
      const object = (data as { object?: unknown } | undefined)?.object;
      if (typeof object !== 'object' || object === null || Array.isArray(object)) {
        throw new InvalidWebhookEventError('data.object', 'must be an object');
      }
      return { id, type, object: object as Record<string, unknown> };
    },
  };
}

/** `STRIPE_API_URL` → stripe-node's host/port/protocol. stripe-node always requests `/v1/…` from the root. */
function connectionOptions(apiUrl: string | undefined): { host?: string; port?: number; protocol?: 'http' | 'https' } {
  if (!apiUrl) return {};
  const url = new URL(apiUrl);
  const protocol = url.protocol.slice(0, -1);
  if (protocol !== 'http' && protocol !== 'https')
    throw new Error(`STRIPE_API_URL must be an http(s) URL, got ${apiUrl}`);
  if (url.pathname !== '/' || url.search) throw new Error(`STRIPE_API_URL cannot carry a path or query, got ${apiUrl}`);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : protocol === 'https' ? 443 : 80,
    protocol,
  };
}

function toChargeOutcome(intent: Stripe.PaymentIntent): ChargeOutcome {
  switch (intent.status) {
    case 'succeeded':
      return {
        kind: 'succeeded',
        paymentIntentId: intent.id,
        amountCents: intent.amount,
        capturedCents: intent.amount_received,
      };
    case 'requires_capture':
      return { kind: 'authorized', paymentIntentId: intent.id, amountCents: intent.amount };
    case 'requires_action':
      return { kind: 'requires_action', paymentIntentId: intent.id, clientSecret: intent.client_secret ?? '' };
    case 'requires_payment_method': {
      const failure = intent.last_payment_error;
      return {
        kind: 'declined',
        paymentIntentId: intent.id,
        declineCode: failure?.decline_code ?? failure?.code ?? 'card_declined',
        message: failure?.message ?? 'The payment was not completed.',
      };
    }
    default:
      throw new Error(`PaymentIntent ${intent.id} has status ${intent.status} after confirmation`);
  }
}

/** Stripe filters `created` in whole seconds: [since, until) becomes gte ⌈since⌉, lt ⌈until⌉. */
function createdRange(period: Period): { gte: number; lt: number } {
  return { gte: Math.ceil(period.since.getTime() / 1000), lt: Math.ceil(period.until.getTime() / 1000) };
}
