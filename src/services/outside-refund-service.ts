import type { Knex } from 'knex';
import { attributeToOrders } from '../domain/attribution';
import type { ProviderRefund } from '../payments/payment-gateway';
import {
  findSessionByPaymentIntent,
  lockSessionOrders,
  type SessionOrderShare,
} from '../repositories/outside-money-repository';
import * as ledger from '../repositories/payment-transactions-repository';
import type { RefundService } from './refund-service';
import type { ServiceDeps } from './service-deps';
import { outsideRefundKey } from '../domain/idempotency-keys';

export interface RefundEventResult {
  outcome: 'applied' | 'ignored';
  note?: string;
}

/**
 * Refunds as Stripe reports them (its events, or a list of a payment's refunds). Our own are recognised by the
 * idempotency key they carry and settled; a refund someone made in Stripe's Dashboard becomes ledger rows on the
 * checkout's orders, attributed whole-order first, else spread (see domain/attribution.ts), so the orders say
 * what was returned and a later "refund the rest" asks Stripe for exactly what is left.
 */
export function createOutsideRefundService(deps: ServiceDeps, refunds: RefundService) {
  const { db, payments, logger } = deps;

  async function attribute(
    trx: Knex.Transaction,
    refund: ProviderRefund,
    sessionId: string,
  ): Promise<RefundEventResult> {
    const orders = await lockSessionOrders(trx, sessionId);
    // Decided under the orders' locks: a second event about the same refund waits here, then finds the rows.
    if ((await ledger.listTransactionsByRefundId(trx, refund.refundId)).length > 0)
      return { outcome: 'ignored', note: 'refund already recorded' };
    const lefts = [];
    // One at a time: a transaction is one connection.
    for (const order of orders) lefts.push({ orderId: order.id, leftCents: await refunds.refundableCents(order, trx) });
    const { attribution, shares, unattributedCents } = attributeToOrders(refund.amountCents, lefts);
    const byId = new Map(orders.map((order) => [order.id, order]));
    const how = describe(
      refund,
      attribution,
      shares.map((share) => byId.get(share.orderId)!),
    );
    const status = refund.status === 'succeeded' ? 'succeeded' : 'pending';
    for (const share of shares) {
      const order = byId.get(share.orderId)!;
      const key = outsideRefundKey(refund.refundId, order.id);
      await ledger.recordTransaction(trx, {
        checkoutSessionId: sessionId,
        orderId: order.id,
        type: share.cents === order.totalCents ? 'refund' : 'partial_refund',
        status,
        amountCents: share.cents,
        currency: refund.currency,
        stripePaymentIntentId: refund.paymentIntentId,
        stripeRefundId: refund.refundId,
        idempotencyKey: key,
        reason: how,
        source: 'stripe',
        attribution,
      });
      if (status === 'succeeded') await refunds.afterMoneyReturned(trx, (await ledger.findTransactionByKey(trx, key))!);
    }
    if (unattributedCents > 0) {
      logger.error(
        { refund: refund.refundId, session: sessionId, unattributedCents },
        'outside refund larger than what the orders had left',
      );
    }
    const extra = unattributedCents > 0 ? `; ${unattributedCents} cents exceed what the orders had left` : '';
    return { outcome: shares.length > 0 ? 'applied' : 'ignored', note: `${how}${extra}` };
  }

  /** Applies one refund as Stripe holds it now. */
  async function applyRefund(refund: ProviderRefund): Promise<RefundEventResult> {
    const final =
      refund.status === 'succeeded'
        ? 'succeeded'
        : refund.status === 'failed' || refund.status === 'canceled'
          ? 'failed'
          : null;
    const ours = refund.idempotencyKey ? await ledger.findTransactionByKey(db, refund.idempotencyKey) : null;
    const known = ours ? [ours] : await ledger.listTransactionsByRefundId(db, refund.refundId);
    if (known.length > 0) {
      if (!final) return { outcome: 'ignored', note: `refund is ${refund.status}` };
      const settled = await refunds.settleFromProvider(refund.refundId, final, ours?.idempotencyKey);
      return settled ? { outcome: 'applied' } : { outcome: 'ignored', note: 'refund already settled' };
    }
    // A refund that failed before we heard of it returned nothing: there is nothing to record.
    if (final === 'failed') return { outcome: 'ignored', note: `refund made outside the service ${refund.status}` };
    if (!refund.paymentIntentId) return { outcome: 'ignored', note: 'refund names no payment' };
    const session = await findSessionByPaymentIntent(db, refund.paymentIntentId);
    if (!session) return { outcome: 'ignored', note: `payment ${refund.paymentIntentId} is not one of ours` };
    return db.transaction((trx) => attribute(trx, refund, session.id));
  }

  return {
    applyRefund,

    /**
     * `charge.refunded` names the charge, not the refund (Stripe no longer includes a charge's refunds): every
     * refund of the payment is asked for and applied, so none is missed whatever order the events come in.
     */
    async applyRefundsOfPayment(paymentIntentId: string): Promise<RefundEventResult> {
      if (!(await findSessionByPaymentIntent(db, paymentIntentId)))
        return { outcome: 'ignored', note: `payment ${paymentIntentId} is not one of ours` };
      const results = [];
      for (const refund of await payments.listRefundsOfPayment(paymentIntentId))
        results.push(await applyRefund(refund));
      const applied = results.filter((result) => result.outcome === 'applied');
      return applied.length > 0
        ? {
            outcome: 'applied',
            note:
              applied
                .map((result) => result.note)
                .filter(Boolean)
                .join('; ') || undefined,
          }
        : { outcome: 'ignored', note: 'every refund already recorded' };
    },
  };
}

function describe(refund: ProviderRefund, attribution: 'whole_order' | 'spread', orders: SessionOrderShare[]): string {
  const why = refund.reason ? ` (${refund.reason})` : '';
  const where =
    attribution === 'whole_order'
      ? `all that order ${orders[0].orderNumber} had left`
      : `spread over ${orders.map((order) => order.orderNumber).join(', ')} by what each had left`;
  return `refund ${refund.refundId} made outside the service${why}: ${refund.amountCents} cents, ${where}`;
}

export type OutsideRefundService = ReturnType<typeof createOutsideRefundService>;
