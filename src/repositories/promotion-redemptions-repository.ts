import type { Knex } from 'knex';

export interface HoldRequest {
  promotionId: string;
  checkoutSessionId: string;
  userId: string;
  discountCents: number;
}

export type HoldOutcome =
  | { kind: 'held' }
  | {
      kind: 'refused';
      code: string;
      perCustomerLimit: number | null;
      totalLimit: number | null;
      totalUses: number;
      customerUses: number;
    };

/**
 * Holds one use of a code for a checkout about to be charged. The code's row is locked first, so every hold of
 * one code is decided one at a time on committed counts: when twenty shoppers race for the last use, exactly one
 * gets it. A checkout that already holds a use (a retried place, a recovered one) keeps it.
 */
export async function holdRedemption(db: Knex, hold: HoldRequest, now: Date): Promise<HoldOutcome> {
  return db.transaction(async (trx) => {
    const promotion = await trx('promotions')
      .where({ id: hold.promotionId })
      .forUpdate()
      .first('code', 'per_customer_limit', 'total_limit');
    const live = await trx('promotion_redemptions')
      .where({ checkout_session_id: hold.checkoutSessionId })
      .whereNot({ status: 'released' })
      .first('id');
    if (live) return { kind: 'held' } as const;
    const counts = await trx('promotion_redemptions')
      .where({ promotion_id: hold.promotionId })
      .whereNot({ status: 'released' })
      .first(
        trx.raw('count(*)::int AS total'),
        trx.raw('count(*) FILTER (WHERE user_id = ?)::int AS mine', [hold.userId]),
      );
    const refused =
      (promotion.total_limit !== null && counts.total >= promotion.total_limit) ||
      (promotion.per_customer_limit !== null && counts.mine >= promotion.per_customer_limit);
    if (refused) {
      return {
        kind: 'refused',
        code: promotion.code,
        perCustomerLimit: promotion.per_customer_limit,
        totalLimit: promotion.total_limit,
        totalUses: counts.total,
        customerUses: counts.mine,
      } as const;
    }
    await trx('promotion_redemptions').insert({
      promotion_id: hold.promotionId,
      checkout_session_id: hold.checkoutSessionId,
      user_id: hold.userId,
      status: 'held',
      discount_cents: hold.discountCents,
      created_at: now,
      updated_at: now,
    });
    return { kind: 'held' } as const;
  });
}

/**
 * Gives back the use a place attempt held, when that attempt ends unpaid (declined). Only while the attempt still
 * holds its session: a later attempt's hold (the same row, kept for it) is never released from under it.
 */
export async function releaseAttemptHold(
  db: Knex,
  checkoutSessionId: string,
  attempt: number,
  now: Date,
): Promise<void> {
  await db('promotion_redemptions')
    .where({ checkout_session_id: checkoutSessionId, status: 'held' })
    .whereExists((q) =>
      q
        .select(db.raw('1'))
        .from('checkout_sessions')
        .where({ id: checkoutSessionId, status: 'processing', payment_attempt: attempt }),
    )
    .update({ status: 'released', updated_at: now });
}

/**
 * Gives back uses held by checkouts that can no longer be paid: cancelled, or expired with no payment left open
 * (a payment awaiting 3-D Secure keeps its use: the abandoned-payment sweep may still place it with that payment).
 */
export async function releaseUnpayableHolds(db: Knex, now: Date, limit = 100): Promise<number> {
  const released = await db('promotion_redemptions')
    .whereIn(
      'id',
      db('promotion_redemptions as r')
        .join('checkout_sessions as cs', 'cs.id', 'r.checkout_session_id')
        .where('r.status', 'held')
        .where((q) =>
          q
            .where('cs.status', 'cancelled')
            .orWhere((expired) =>
              expired.where('cs.status', 'pending').where('cs.expires_at', '<=', now).whereNull('cs.payment_intent_id'),
            ),
        )
        .limit(limit)
        .select('r.id'),
    )
    .where({ status: 'held' })
    .update({ status: 'released', updated_at: now });
  return released;
}

/** A cancelled checkout's use goes back at once (its session is cancelled: nothing can pay it any more). */
export async function releaseHoldOfCancelledSession(db: Knex, checkoutSessionId: string, now: Date): Promise<void> {
  await db('promotion_redemptions')
    .where({ checkout_session_id: checkoutSessionId, status: 'held' })
    .whereExists((q) =>
      q.select(db.raw('1')).from('checkout_sessions').where({ id: checkoutSessionId, status: 'cancelled' }),
    )
    .update({ status: 'released', updated_at: now });
}
