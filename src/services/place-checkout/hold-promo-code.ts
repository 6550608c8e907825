import { DomainError } from '../../domain/errors';
import * as sessions from '../../repositories/checkout-sessions-repository';
import type { CheckoutSessionRecord } from '../../domain/checkout-session';
import { createStep } from '../saga-step';
import type { PlaceContext } from './place-context';

/**
 * Step 1b: hold one use of the session's promo code, under the code's lock. A code's last use may have gone to
 * another checkout meanwhile: then the claim is let go (undo) and nothing is charged. A declined charge gives the
 * use back (see record-outcome.ts); an abandoned one is given back by `releaseUnpayableHolds`.
 */
export const holdPromoCode = createStep(
  'hold-promo-code',
  async (ctx: PlaceContext, session: CheckoutSessionRecord): Promise<void> => {
    try {
      await ctx.promotions.holdUse(session);
    } catch (error) {
      if (error instanceof DomainError) await holdPromoCode.compensate(ctx, session);
      throw error;
    }
  },
  /** Lets go of the claimed session (back to pending), keeping any earlier PaymentIntent it holds. */
  async ({ deps }: PlaceContext, session: CheckoutSessionRecord): Promise<void> => {
    await sessions.releasePlacement(
      deps.db,
      session.id,
      session.paymentAttempt,
      deps.clock.now(),
      session.paymentIntentId,
    );
  },
);
