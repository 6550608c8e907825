import { DomainError } from '../domain/errors';
import { WebhookSignatureError, type ProviderEvent } from '../payments/payment-gateway';
import { disputeOf, idOf, refundOf } from '../payments/stripe-event-objects';
import * as events from '../repositories/webhook-events-repository';
import type { DisputeService } from './dispute-service';
import type { OutsideRefundService } from './outside-refund-service';
import type { ServiceDeps } from './service-deps';

/** The events that move money outside the service (see README, Money made outside the service). */
const REFUND_EVENTS = ['refund.created', 'refund.updated', 'refund.failed', 'charge.refund.updated'];
const DISPUTE_EVENTS = [
  'charge.dispute.created',
  'charge.dispute.updated',
  'charge.dispute.closed',
  'charge.dispute.funds_withdrawn',
  'charge.dispute.funds_reinstated',
];

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
    if (typeof object.id !== 'string' || !object.id) return { outcome: 'ignored', note: 'the event names no object' };
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
      if (!webhookSecret || !rawBody || !signature)
        throw new DomainError('invalid_signature', 'Missing or unverifiable Stripe-Signature');
      try {
        return payments.verifyWebhook(rawBody, signature, webhookSecret);
      } catch (error) {
        if (error instanceof WebhookSignatureError)
          throw new DomainError('invalid_signature', 'Invalid Stripe-Signature');
        throw error;
      }
    },

    async receive(
      event: ProviderEvent,
    ): Promise<{ eventId: string; duplicate: boolean; outcome: events.EventOutcome; note?: string }> {
      const claim = await events.claimProviderEvent(
        db,
        { id: event.id, type: event.type, payload: event.object },
        clock.now(),
      );
      // Any non-2xx makes Stripe deliver again later, by when the claim is settled or its holder's lease is over.
      if (claim.status === 'in_progress')
        throw new DomainError('request_in_progress', `Event ${event.id} is being processed; deliver it again later`);
      if (claim.status === 'settled')
        return { eventId: event.id, duplicate: true, outcome: 'ignored', note: 'already received' };
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
