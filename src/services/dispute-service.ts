import type { Knex } from 'knex';
import { attributeToOrders, type Attribution } from '../domain/attribution';
import * as disputes from '../repositories/disputes-repository';
import type { DisputeRecord } from '../domain/dispute';
import { findSessionByPaymentIntent, lockSessionOrders } from '../repositories/outside-money-repository';
import * as ledger from '../repositories/payment-transactions-repository';
import type { ProviderDispute } from '../payments/payment-gateway';
import type { RefundService } from './refund-service';
import type { ServiceDeps } from './service-deps';
import { disputeLossKey } from '../domain/idempotency-keys';

/** Stripe's final dispute statuses: `lost` leaves the money with the cardholder. */
const CLOSED = ['won', 'lost', 'warning_closed'];

/**
 * Disputes a cardholder's bank opened on a checkout's payment. Each is recorded against the checkout and the
 * orders it concerns (attributed as a Dashboard refund is: a whole order if the amount is what one has left,
 * else spread), shown to ops with those orders, and, once lost, counted in the ledger as `dispute_loss` rows:
 * money the orders no longer hold, which no refund can return a second time.
 */
export function createDisputeService(deps: ServiceDeps, refunds: RefundService) {
  const { db, clock, logger } = deps;

  async function attribute(trx: Knex.Transaction, sessionId: string, amountCents: number): Promise<Attribution> {
    const orders = await lockSessionOrders(trx, sessionId);
    const lefts = [];
    // One at a time: a transaction is one connection.
    for (const order of orders) lefts.push({ orderId: order.id, leftCents: await refunds.refundableCents(order, trx) });
    return attributeToOrders(amountCents, lefts);
  }

  async function countLoss(trx: Knex.Transaction, dispute: DisputeRecord): Promise<void> {
    for (const share of await disputes.listDisputeShares(trx, dispute.id)) {
      if (share.amountCents === 0) continue;
      await ledger.recordTransaction(trx, {
        checkoutSessionId: dispute.checkoutSessionId,
        orderId: share.orderId,
        type: 'dispute_loss',
        status: 'succeeded',
        amountCents: share.amountCents,
        currency: dispute.currency,
        stripePaymentIntentId: dispute.paymentIntentId,
        idempotencyKey: disputeLossKey(dispute.id, share.orderId),
        reason: `dispute ${dispute.id} lost (${dispute.reason ?? 'no reason given'})`,
        source: 'stripe',
        attribution: dispute.attribution,
      });
    }
  }

  return {
    async record(event: ProviderDispute): Promise<{ outcome: 'applied' | 'ignored'; note?: string }> {
      const session = await findSessionByPaymentIntent(db, event.paymentIntentId);
      if (!session) return { outcome: 'ignored', note: `payment ${event.paymentIntentId} is not one of ours` };
      return db.transaction(async (trx) => {
        // Under the orders' locks, so two events about a new dispute cannot both split it.
        await lockSessionOrders(trx, session.id);
        const known = await trx('disputes').where({ id: event.disputeId }).first('id');
        // The split is decided once, when the dispute is first heard of, on what the orders had left then.
        const split = known ? null : await attribute(trx, session.id, event.amountCents);
        const now = clock.now();
        const { before, after } = await disputes.upsertDispute(
          trx,
          {
            id: event.disputeId,
            checkoutSessionId: session.id,
            paymentIntentId: event.paymentIntentId,
            chargeId: event.chargeId,
            amountCents: event.amountCents,
            currency: event.currency,
            reason: event.reason,
            status: event.status,
            attribution: split?.attribution ?? 'spread',
            openedAt: event.createdAt,
            closedAt: CLOSED.includes(event.status) ? now : null,
          },
          now,
        );
        if (split) await disputes.insertDisputeShares(trx, after.id, split.shares);
        if (split && split.unattributedCents > 0) {
          logger.error(
            { dispute: after.id, unattributedCents: split.unattributedCents },
            'dispute larger than what the orders had left',
          );
        }
        const lostNow = after.status === 'lost' && before?.status !== 'lost';
        if (lostNow) await countLoss(trx, after);
        if (before && before.closedAt)
          return { outcome: 'ignored' as const, note: `dispute already closed (${before.status})` };
        return {
          outcome: 'applied' as const,
          note: `dispute ${after.id} ${after.status}${lostNow ? ': counted in the ledger' : ''}`,
        };
      });
    },
  };
}

export type DisputeService = ReturnType<typeof createDisputeService>;
