import { PaymentGatewayUnavailableError } from '../../payments/payment-gateway';
import * as sessions from '../../repositories/checkout-sessions-repository';
import type { CheckoutSessionRecord } from '../../domain/checkout-session';
import { asOutcome, cancelEarlierPayment, paysFor, type PaymentOutcome } from '../earlier-payment';
import { createStep } from '../saga-step';
import { chargeKey, type PlaceContext } from './place-context';

/**
 * The PaymentIntent an earlier attempt left open (3-D Secure) decides this attempt: paid (or being paid) is used,
 * never charged again; still awaiting the shopper's authentication is asked again. One that can no longer pay for
 * this snapshot (authentication failed, another total) is cancelled before a new one is made: the shopper's device
 * still holds its client secret and could otherwise confirm it later.
 */
async function outcomeOfEarlierPayment(
  { deps }: PlaceContext,
  session: CheckoutSessionRecord,
): Promise<PaymentOutcome | null> {
  if (!session.paymentIntentId) return null;
  const earlier = await deps.payments.retrieve(session.paymentIntentId);
  // A paid one for another amount is not replaced either: settle refuses it loudly rather than charge twice.
  const usable = earlier.status === 'succeeded' || earlier.status === 'processing' || paysFor(session, earlier);
  const outcome = usable ? asOutcome(earlier) : null;
  if (outcome) return outcome;
  return asOutcome(await cancelEarlierPayment(deps, session, earlier.paymentIntentId, earlier));
}

/**
 * Step 2: one payment for the whole snapshot, with key `<session>:charge:<attempt>`. A crash after it is resumed
 * by doing it again (recovery, or the shopper's retry): the same key replays the provider's outcome. Undo when the
 * outcome is unknown (the gateway unavailable): the lease expires at once, so the next try takes over.
 */
export const charge = createStep(
  'charge',
  async (ctx: PlaceContext, session: CheckoutSessionRecord): Promise<PaymentOutcome> => {
    const { payments, settings, crashpoint } = ctx.deps;
    crashpoint('place.before_charge');
    try {
      const earlier = session.paymentAttempt > 1 ? await outcomeOfEarlierPayment(ctx, session) : null;
      return (
        earlier ??
        (await payments.charge({
          amountCents: session.totalCents,
          currency: session.currency,
          paymentMethodId: session.paymentMethodId!,
          idempotencyKey: chargeKey(session),
          // after_placement only holds the money here; the capture service takes what was placed once it is known.
          captureMethod: settings.capturePolicy === 'after_placement' ? 'manual' : 'automatic',
          description: `Checkout ${session.id}`,
          metadata: {
            checkout_session_id: session.id,
            user_id: session.userId,
            attempt: String(session.paymentAttempt),
          },
        }))
      );
    } catch (error) {
      if (error instanceof PaymentGatewayUnavailableError) await charge.compensate(ctx, session);
      throw error;
    }
  },
  /**
   * The outcome is unknown: let the next try (the shopper's retry or recovery) take over at once; it replays this
   * attempt's key, so the provider answers with whatever really happened.
   */
  async ({ deps }: PlaceContext, session: CheckoutSessionRecord): Promise<void> => {
    await sessions.expireLease(deps.db, session.id, session.paymentAttempt, deps.clock.now());
  },
);
