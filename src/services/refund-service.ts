import type { Knex } from 'knex';
import { FAILED_OR_CANCELLED_STATUSES } from '../domain/order-status';
import type { OrderRecord } from '../domain/order';
import { lockOrder } from '../repositories/order-writes-repository';
import * as ledger from '../repositories/payment-transactions-repository';
import type { AlongsideMove } from './order-state-machine';
import { afterMoneyReturned } from './refund/money-returned';
import { recordRefundIntent, refundableCents, type RefundRequest } from './refund/record-intent';
import { refundResultOf, sendRefund, type RefundResult } from './refund/send-refund';
import type { ServiceDeps } from './service-deps';

export type { RefundRequest } from './refund/record-intent';
export type { RefundResult } from './refund/send-refund';

/**
 * Refunds against the checkout's single payment, as two steps (src/services/refund/): the ledger row is written
 * first as `pending` (the intent, `recordRefundIntent`), then the provider is called with the row's idempotency
 * key and the row is settled together with the items it returns (`sendRefund`, then `afterMoneyReturned`). A crash
 * anywhere in between leaves a pending row that `resumePendingRefunds` finishes, never refunding twice.
 */
export function createRefundService(deps: ServiceDeps) {
  const { db, logger } = deps;

  /** Carries out the refund recorded under `key`: sends it if still pending, else reports how it ended. */
  async function carryOut(key: string): Promise<RefundResult | null> {
    const recorded = await ledger.findTransactionByKey(db, key);
    if (!recorded) return null;
    return recorded.status === 'pending' ? sendRefund(deps, recorded) : refundResultOf(recorded);
  }

  async function refund(order: OrderRecord, request: RefundRequest): Promise<RefundResult> {
    const existing = await carryOut(request.key);
    if (existing) return existing;
    await db.transaction((trx) => recordRefundIntent(trx, order, request));
    return (await carryOut(request.key))!;
  }

  return {
    refund,
    /** What of the order is left to refund (see `refundableCents` in refund/record-intent.ts). */
    refundableCents: (order: Pick<OrderRecord, 'id'>, conn: Knex = db) => refundableCents(conn, order),

    carryOut,

    /**
     * The refund a move to failed or cancelled owes: all of the order's total not refunded yet, recorded as a
     * pending intent on the move's own transaction (see AlongsideMove), so no crash can leave the order moved
     * and the money kept. The after-move hooks then send it (src/services/order-moves.ts); if the process dies
     * first, the pending-refund resume does. Nothing is recorded when nothing is left.
     */
    owedRefund(reason: string, key: string): AlongsideMove {
      return async (trx, moved, debts) => {
        // Sent after the commit by the after-move hooks (also when it was recorded by an earlier try of this move).
        debts.refundKeys.push(key);
        // Decided on the order as it is now, not as the caller last read it: an order an ops retry has sent back
        // into placement meanwhile owes nothing (we would be buying it with money we returned). Nor does one whose
        // money an authorization only holds: the checkout's capture, locking every order, leaves it out.
        // A failed or cancelled order owes the shopper all of its money back.
        if (!FAILED_OR_CANCELLED_STATUSES.includes(await lockOrder(trx, moved.id))) return;
        if ((await refundableCents(trx, moved)) > 0) await recordRefundIntent(trx, moved, { reason, key });
      };
    },

    /** Finishes refunds a crash, an outage or a slow card network left pending, least recently tried first. */
    async resumePendingRefunds(limit = 50): Promise<number> {
      let resumed = 0;
      for (const tx of await ledger.listPendingRefunds(db, limit)) {
        try {
          if ((await sendRefund(deps, tx)).status !== 'pending') resumed += 1;
        } catch (error) {
          logger.warn({ err: error, key: tx.idempotencyKey }, 'pending refund still cannot be completed');
        }
      }
      return resumed;
    },

    /**
     * A provider event says how a refund ended (refunds can settle asynchronously). Ours is found by the key it
     * carries, even before its id is recorded; one made outside the service by its id (a row per order).
     */
    async settleFromProvider(
      stripeRefundId: string,
      status: 'succeeded' | 'failed',
      idempotencyKey?: string | null,
    ): Promise<boolean> {
      const byKey = idempotencyKey ? await ledger.findTransactionByKey(db, idempotencyKey) : null;
      const rows = byKey ? [byKey] : await ledger.listTransactionsByRefundId(db, stripeRefundId);
      const pending = rows.filter((tx) => tx.status === 'pending');
      if (pending.length === 0) return false;
      return db.transaction(async (trx) => {
        let settled = false;
        for (const tx of pending) {
          const moved = await ledger.settleTransaction(trx, tx.idempotencyKey, {
            status,
            stripeRefundId,
            failureCode: status === 'failed' ? 'failed' : null,
          });
          if (moved && status === 'succeeded') await afterMoneyReturned(deps, trx, tx);
          settled ||= moved;
        }
        return settled;
      });
    },

    afterMoneyReturned: (trx: Knex.Transaction, tx: ledger.PaymentTransactionRecord) =>
      afterMoneyReturned(deps, trx, tx),
  };
}

export type RefundService = ReturnType<typeof createRefundService>;
