import { DomainError } from '../domain/errors';
import { findSession } from '../repositories/checkout-sessions-repository';
import type { Knex } from 'knex';
import { FAILED_OR_CANCELLED_STATUSES, FULFILLED_STATUSES, type OrderStatus } from '../domain/order-status';
import { IDEMPOTENCY_KEY_TRUSTED_FOR_MS, type RefundOutcome } from '../payments/payment-gateway';
import { addRefundedQuantities, lockOrder, refundAllItemsOfRefundedOrder } from '../repositories/order-writes-repository';
import { findOrderById, listOrderItems } from '../repositories/orders-repository';
import type { OrderRecord } from '../domain/order';
import { takenCents } from '../repositories/captures-repository';
import * as ledger from '../repositories/payment-transactions-repository';
import type { RefundItem } from '../repositories/payment-transactions-repository';
import { transitionOrder, type AlongsideMove } from './order-state-machine';
import type { ServiceDeps } from './service-deps';

export interface RefundResult {
  transactionId: string;
  refundId: string | null;
  amountCents: number;
  status: 'pending' | 'succeeded' | 'failed';
}

/** An authorization that has not been captured (yet, or for this order ever) has nothing to refund from. */
function paymentNotCaptured(order: OrderRecord, taken: number | null): DomainError {
  const message =
    taken === null
      ? `The checkout of order ${order.orderNumber} is authorized but not captured yet: cancel the order instead ` +
        '(it will not be charged), or refund it once the checkout is captured'
      : `Order ${order.orderNumber} was left out of its checkout's capture (it had failed or been cancelled by then): ` +
        'its money was never taken, so there is nothing to refund';
  return new DomainError('payment_not_captured', message, { orderStatus: order.status });
}

export interface RefundRequest {
  /** Absent: all that is left to refund, as decided under the order's lock. */
  amountCents?: number;
  reason: string;
  /** The provider idempotency key of this refund; the same key never refunds twice. */
  key: string;
  items?: RefundItem[];
}


/**
 * Refunds against the checkout's single payment. The ledger row is written first as `pending` (the intent),
 * then the provider is called with the row's idempotency key, then the row is settled together with the items
 * it returns: a crash anywhere in between leaves a pending row that `resumePendingRefunds` finishes, never
 * refunding twice.
 */
export function createRefundService(deps: ServiceDeps) {
  const { db, payments, logger, clock } = deps;

  /**
   * What a refund that went through changes beyond the ledger, on the same transaction: the items it names are
   * returned (all of them once the order's whole total is); a fulfilled order becomes refunded or partially
   * refunded. Only money that really went back counts, so a refund still pending (or one that fails) moves nothing.
   */
  async function afterMoneyReturned(trx: Knex.Transaction, tx: ledger.PaymentTransactionRecord): Promise<void> {
    if (tx.refundItems) await addRefundedQuantities(trx, tx.refundItems);
    if (!tx.orderId) return;
    await refundAllItemsOfRefundedOrder(trx, tx.orderId);
    // Orders the shopper has (or had) from the retailer: a refund of theirs shows in their status.
    if (!FULFILLED_STATUSES.includes(await lockOrder(trx, tx.orderId))) return;
    const order = (await findOrderById(trx, tx.orderId))!;
    const to: OrderStatus = (await ledger.returnedCents(trx, order.id)) >= order.totalCents ? 'refunded' : 'partially_refunded';
    if (order.status !== 'refunded') await transitionOrder({ db: trx, clock }, order, to, tx.reason ?? 'refunded');
  }

  const toResult = (tx: ledger.PaymentTransactionRecord): RefundResult => ({
    transactionId: tx.id,
    refundId: tx.stripeRefundId,
    amountCents: tx.amountCents,
    status: tx.status,
  });

  /**
   * Where the row's refund stands at the provider. A refund already known is retrieved: creating it again would
   * only replay the provider's first answer, frozen at `pending`. Otherwise the first create may have happened
   * with its answer lost; while the key is remembered the same create replays it, and after that the refund is
   * looked up by its key before anything is created.
   */
  async function askProvider(tx: ledger.PaymentTransactionRecord): Promise<RefundOutcome> {
    if (tx.stripeRefundId) return payments.retrieveRefund(tx.stripeRefundId);
    const session = await findSession(db, tx.checkoutSessionId);
    const paymentIntentId = session!.paymentIntentId!;
    // Past the key's trusted age its create might not replay: the refund is first looked up by the key it carries
    // in its metadata. The row is written before its first create, so its age never understates the key's.
    if (clock.now().getTime() - tx.createdAt.getTime() >= IDEMPOTENCY_KEY_TRUSTED_FOR_MS) {
      const earlier = await payments.findRefundByKey(paymentIntentId, tx.idempotencyKey);
      if (earlier) return earlier;
    }
    return payments.refund({
      paymentIntentId,
      amountCents: tx.amountCents,
      idempotencyKey: tx.idempotencyKey,
      reason: 'requested_by_customer',
      metadata: { checkout_session_id: tx.checkoutSessionId, order_id: tx.orderId ?? '', reason: (tx.reason ?? '').slice(0, 450) },
    });
  }

  /**
   * Under capture policy after_placement a refund returns money the checkout's capture took. While that capture is
   * still pending at Stripe there is nothing to refund from yet: the refund stays pending and is resumed. A capture
   * that failed took nothing, so there never will be. Null: ask the provider.
   */
  async function heldByCapture(tx: ledger.PaymentTransactionRecord): Promise<RefundOutcome | null> {
    if (tx.stripeRefundId) return null;
    const capture = await ledger.findCaptureOfSession(db, tx.checkoutSessionId);
    if (!capture || (capture.type === 'capture' && capture.status === 'succeeded')) return null;
    if (capture.type === 'capture' && capture.status === 'pending') return { refundId: null, amountCents: tx.amountCents, status: 'pending' };
    return { refundId: null, amountCents: tx.amountCents, status: 'failed', failureCode: 'payment_not_captured' };
  }

  async function execute(tx: ledger.PaymentTransactionRecord): Promise<RefundResult> {
    await ledger.markRefundAttempted(db, tx.idempotencyKey);
    const outcome = (await heldByCapture(tx)) ?? (await askProvider(tx));
    const status = outcome.status === 'succeeded' ? 'succeeded' : outcome.status === 'failed' || outcome.status === 'canceled' ? 'failed' : 'pending';
    if (status !== 'pending') {
      await db.transaction(async (trx) => {
        const settled = await ledger.settleTransaction(trx, tx.idempotencyKey, {
          status,
          stripeRefundId: outcome.refundId ?? undefined,
          failureCode: status === 'failed' ? (outcome.failureCode ?? outcome.status) : null,
        });
        if (settled && status === 'succeeded') await afterMoneyReturned(trx, tx);
      });
    } else {
      if (outcome.refundId && outcome.refundId !== tx.stripeRefundId) await ledger.recordRefundId(db, tx.idempotencyKey, outcome.refundId);
    }
    return toResult((await ledger.findTransactionByKey(db, tx.idempotencyKey))!);
  }

  /**
   * What of the order the shopper has paid and not had back (refunds still pending count as returned, and so does
   * what a lost dispute took back). Under capture
   * policy after_placement that is nothing until the checkout is captured, and nothing ever for an order that had
   * failed or been cancelled by then: its money was never taken.
   */
  async function refundableCents(order: Pick<OrderRecord, 'id'>, conn: Knex = db): Promise<number> {
    // One query at a time: `conn` is often a transaction, a single connection.
    const taken = await takenCents(conn, order.id);
    const refunded = await ledger.refundedCentsByOrder(conn, [order.id]);
    const disputed = await ledger.disputeLostCentsByOrder(conn, [order.id]);
    return (taken ?? 0) - (refunded.get(order.id) ?? 0) - (disputed.get(order.id) ?? 0);
  }

  /**
   * Items a refund may still return: bought, less what earlier refunds returned or (pending) will return.
   * Problems name the request's item lines, as the request's own validation does.
   */
  async function checkItemsLeft(trx: Knex.Transaction, order: OrderRecord, requested: readonly RefundItem[]): Promise<void> {
    const items = new Map((await listOrderItems(trx, order.id)).map((item) => [item.id, item]));
    const pending = await ledger.pendingRefundQuantities(trx, order.id);
    const asked = new Map<string, number>();
    const problems: Record<string, string> = {};
    requested.forEach((line, index) => {
      const item = items.get(line.orderItemId);
      if (!item) return void (problems[`items.${index}.orderItemId`] = 'not an item of this order');
      const left = item.quantity - item.refundedQuantity - (pending.get(item.id) ?? 0) - (asked.get(item.id) ?? 0);
      if (line.quantity > left) problems[`items.${index}.quantity`] = `at most ${Math.max(left, 0)} left to refund`;
      asked.set(item.id, (asked.get(item.id) ?? 0) + line.quantity);
    });
    if (Object.keys(problems).length > 0) {
      throw new DomainError('refund_exceeds_captured', 'The items cannot be refunded as asked', { fields: problems });
    }
  }

  /**
   * Records the refund's intent (a pending row) if the order still has that much, and those items, to give
   * back. The order's row is locked meanwhile, so two refunds of one order (an admin's and a failed
   * placement's, or two admins') can never together return more than the order took.
   */
  async function recordIntent(trx: Knex.Transaction, order: OrderRecord, request: RefundRequest): Promise<void> {
    await lockOrder(trx, order.id);
    if (await ledger.findTransactionByKey(trx, request.key)) return;
    const taken = await takenCents(trx, order.id);
    if (!taken) throw paymentNotCaptured(order, taken);
    if (request.items?.length) await checkItemsLeft(trx, order, request.items);
    const refundable = await refundableCents(order, trx);
    const amountCents = request.amountCents ?? refundable;
    if (amountCents <= 0 || amountCents > refundable) {
      throw new DomainError('refund_exceeds_captured', `At most ${refundable} cents of order ${order.orderNumber} can be refunded`, {
        refundableCents: refundable,
        requestedCents: amountCents,
      });
    }
    await ledger.recordTransaction(trx, {
      checkoutSessionId: order.checkoutSessionId,
      orderId: order.id,
      type: amountCents === order.totalCents ? 'refund' : 'partial_refund',
      status: 'pending',
      amountCents,
      currency: order.currency,
      idempotencyKey: request.key,
      reason: request.reason,
      refundItems: request.items ?? null,
    });
  }

  /** Carries out the refund recorded under `key`: sends it if still pending, else reports how it ended. */
  async function carryOut(key: string): Promise<RefundResult | null> {
    const recorded = await ledger.findTransactionByKey(db, key);
    if (!recorded) return null;
    return recorded.status === 'pending' ? execute(recorded) : toResult(recorded);
  }

  async function refund(order: OrderRecord, request: RefundRequest): Promise<RefundResult> {
    const existing = await carryOut(request.key);
    if (existing) return existing;
    await db.transaction((trx) => recordIntent(trx, order, request));
    return (await carryOut(request.key))!;
  }

  return {
    refund,
    refundableCents,

    carryOut,

    /**
     * The refund a move to failed or cancelled owes: all of the order's total not refunded yet, recorded as a
     * pending intent on the move's own transaction (see AlongsideMove), so no crash can leave the order moved
     * and the money kept. `carryOut(key)` then sends it; if the process dies first, the pending-refund resume
     * does. Nothing is recorded when nothing is left.
     */
    owedRefund(reason: string, key: string): AlongsideMove {
      return async (trx, moved) => {
        // Decided on the order as it is now, not as the caller last read it: an order an ops retry has sent back
        // into placement meanwhile owes nothing (we would be buying it with money we returned). Nor does one whose
        // money an authorization only holds: the checkout's capture, locking every order, leaves it out.
        // A failed or cancelled order owes the shopper all of its money back.
        if (!FAILED_OR_CANCELLED_STATUSES.includes(await lockOrder(trx, moved.id))) return;
        if ((await refundableCents(moved, trx)) > 0) await recordIntent(trx, moved, { reason, key });
      };
    },

    /** Finishes refunds a crash, an outage or a slow card network left pending, least recently tried first. */
    async resumePendingRefunds(limit = 50): Promise<number> {
      let resumed = 0;
      for (const tx of await ledger.listPendingRefunds(db, limit)) {
        try {
          if ((await execute(tx)).status !== 'pending') resumed += 1;
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
    async settleFromProvider(stripeRefundId: string, status: 'succeeded' | 'failed', idempotencyKey?: string | null): Promise<boolean> {
      const byKey = idempotencyKey ? await ledger.findTransactionByKey(db, idempotencyKey) : null;
      const rows = byKey ? [byKey] : await ledger.listTransactionsByRefundId(db, stripeRefundId);
      const pending = rows.filter((tx) => tx.status === 'pending');
      if (pending.length === 0) return false;
      return db.transaction(async (trx) => {
        let settled = false;
        for (const tx of pending) {
          const moved = await ledger.settleTransaction(trx, tx.idempotencyKey, { status, stripeRefundId, failureCode: status === 'failed' ? 'failed' : null });
          if (moved && status === 'succeeded') await afterMoneyReturned(trx, tx);
          settled ||= moved;
        }
        return settled;
      });
    },

    afterMoneyReturned,
  };
}

export type RefundService = ReturnType<typeof createRefundService>;
