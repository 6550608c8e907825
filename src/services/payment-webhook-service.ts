import { DomainError } from '../domain/errors';
import { WebhookSignatureError, type ProviderEvent, type ProviderRefund } from '../payments/payment-gateway';
import * as events from '../repositories/webhook-events-repository';
import type { DisputeService, ProviderDispute } from './dispute-service';
import type { OutsideRefundService } from './outside-refund-service';
import type { ServiceDeps } from './service-deps';

/**
 * Stripe's webhooks: verified by the Stripe SDK on the raw body, claimed by event id (Stripe delivers at least
 * once) while being applied, then settled; a claim left by a dead process is taken over after its lease.
 * Refunds can settle after we asked for them; their final state arrives here. Refunds someone made in Stripe's
 * Dashboard and disputes arrive here too, and become ledger rows on the checkout's orders.
 */
export function createPaymentWebhookService(
  deps: ServiceDeps,
  outsideRefunds: OutsideRefundService,
  disputes: DisputeService,
  webhookSecret: string | undefined,
) {
  const { db, clock, payments, logger } = deps;

  async function apply(event: ProviderEvent): Promise<{ outcome: events.EventOutcome; note?: string }> {
    const object: Record<string, unknown> = event.object ?? {};
    if (!text(object.id)) return { outcome: 'ignored', note: 'the event names no object' };
    if (REFUND_EVENTS.includes(event.type)) return outsideRefunds.applyRefund(refundOf(object));
    if (event.type === 'charge.refunded') {
      const paymentIntentId = idOf(object.payment_intent);
      if (!paymentIntentId) return { outcome: 'ignored', note: 'charge names no payment' };
      return outsideRefunds.applyRefundsOfPayment(paymentIntentId);
    }
    if (DISPUTE_EVENTS.includes(event.type)) {
      const dispute = disputeOf(object);
      return dispute ? disputes.record(dispute) : { outcome: 'ignored', note: 'dispute names no payment' };
    }
    return { outcome: 'ignored', note: `no action for ${event.type}` };
  }

  return {
    verify(rawBody: Buffer | undefined, signature: string | undefined): ProviderEvent {
      if (!webhookSecret || !rawBody || !signature) throw new DomainError('invalid_signature', 'Missing or unverifiable Stripe-Signature');
      try {
        return payments.verifyWebhook(rawBody, signature, webhookSecret);
      } catch (error) {
        if (error instanceof WebhookSignatureError) throw new DomainError('invalid_signature', 'Invalid Stripe-Signature');
        throw error;
      }
    },

    async receive(event: ProviderEvent): Promise<{ eventId: string; duplicate: boolean; outcome: events.EventOutcome; note?: string }> {
      const claim = await events.claimProviderEvent(db, { id: event.id, type: event.type, payload: event.object }, clock.now());
      // Any non-2xx makes Stripe deliver again later, by when the claim is settled or its holder's lease is over.
      if (claim.status === 'in_progress') throw new DomainError('request_in_progress', `Event ${event.id} is being processed; deliver it again later`);
      if (claim.status === 'settled') return { eventId: event.id, duplicate: true, outcome: 'ignored', note: 'already received' };
      if (claim.resumed) logger.warn({ event: event.id, type: event.type }, 'stripe event: taking over a stale claim');
      try {
        // Applying again after a crash is harmless: a refund settles only while it is pending, and outside money is
        // recorded under keys made of Stripe's ids.
        const result = await apply(event);
        if (!(await events.settleProviderEvent(db, event.id, claim.claimedAt, result))) {
          logger.warn({ event: event.id }, 'stripe event: claim was taken over while applying');
        }
        logger.info({ event: event.id, type: event.type, ...result }, 'stripe event received');
        return { eventId: event.id, duplicate: false, ...result };
      } catch (error) {
        await events.forgetProviderEvent(db, event.id, claim.claimedAt);
        throw error;
      }
    },
  };
}

export type PaymentWebhookService = ReturnType<typeof createPaymentWebhookService>;

const REFUND_EVENTS = ['refund.created', 'refund.updated', 'refund.failed', 'charge.refund.updated'];
const DISPUTE_EVENTS = ['charge.dispute.created', 'charge.dispute.updated', 'charge.dispute.closed', 'charge.dispute.funds_withdrawn', 'charge.dispute.funds_reinstated'];
const REFUND_STATUSES: readonly ProviderRefund['status'][] = ['pending', 'succeeded', 'failed', 'canceled', 'requires_action'];

/** An expandable Stripe field: an id, or the object with its id. */
function idOf(value: unknown): string | null {
  if (typeof value === 'string' && value) return value;
  if (value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string') return (value as { id: string }).id;
  return null;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);
const cents = (value: unknown): number => (Number.isSafeInteger(value) && (value as number) > 0 ? (value as number) : 0);
const when = (value: unknown): Date => new Date((Number.isFinite(value) ? (value as number) : 0) * 1000);

function refundOf(object: Record<string, unknown>): ProviderRefund {
  const status = REFUND_STATUSES.find((known) => known === object.status) ?? 'pending';
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  return {
    refundId: String(object.id),
    paymentIntentId: idOf(object.payment_intent),
    amountCents: cents(object.amount),
    currency: text(object.currency) ?? 'usd',
    status,
    createdAt: when(object.created),
    idempotencyKey: text(metadata.idempotency_key),
    reason: text(object.reason),
    ...(status === 'failed' || status === 'canceled' ? { failureCode: text(object.failure_reason) ?? status } : {}),
  };
}

function disputeOf(object: Record<string, unknown>): ProviderDispute | null {
  const paymentIntentId = idOf(object.payment_intent);
  if (!paymentIntentId || !cents(object.amount)) return null;
  return {
    disputeId: String(object.id),
    paymentIntentId,
    chargeId: idOf(object.charge),
    amountCents: cents(object.amount),
    currency: text(object.currency) ?? 'usd',
    reason: text(object.reason),
    status: text(object.status) ?? 'needs_response',
    createdAt: when(object.created),
  };
}
