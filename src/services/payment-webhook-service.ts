import { DomainError } from '../domain/errors';
import { WebhookSignatureError, type ProviderEvent } from '../payments/payment-gateway';
import * as events from '../repositories/webhook-events-repository';
import type { RefundService } from './refund-service';
import type { ServiceDeps } from './service-deps';

/**
 * Stripe's webhooks: verified by the Stripe SDK on the raw body, claimed by event id (Stripe delivers at least
 * once) while being applied, then settled; a claim left by a dead process is taken over after its lease.
 * Refunds can settle after we asked for them; their final state arrives here.
 */
export function createPaymentWebhookService(deps: ServiceDeps, refunds: RefundService, webhookSecret: string | undefined) {
  const { db, clock, payments, logger } = deps;

  async function apply(event: ProviderEvent): Promise<{ outcome: events.EventOutcome; note?: string }> {
    if (event.type === 'refund.updated' || event.type === 'refund.failed' || event.type === 'charge.refund.updated') {
      const status = event.object.status;
      if (status !== 'succeeded' && status !== 'failed') return { outcome: 'ignored', note: `refund is ${String(status)}` };
      const settled = await refunds.settleFromProvider(String(event.object.id), status);
      return settled ? { outcome: 'applied' } : { outcome: 'ignored', note: 'refund unknown or already settled' };
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
        // Applying again after a crash is harmless: a refund settles only while it is pending.
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
