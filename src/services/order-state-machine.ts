import type { Knex } from 'knex';
import type { Clock } from '../domain/clock';
import { DomainError } from '../domain/errors';
import { orderEventOf } from '../domain/events';
import { allowedTransitions, canTransition, type OrderStatus } from '../domain/order-status';
import { updateOrderStatus } from '../repositories/order-writes-repository';
import { findOrderByNumber } from '../repositories/orders-repository';
import type { OrderChanges, OrderRecord } from '../domain/order';

/**
 * Writes that must commit together with an order's move or not at all (a task resolved by the move, the refund
 * the move owes): a crash can then never leave the one without the other. It runs on the move's transaction.
 */
export type AlongsideMove = (trx: Knex.Transaction, moved: OrderRecord) => Promise<void>;

/** Several writes that commit with the same move, in this order. */
export const alongsideAll =
  (...writes: (AlongsideMove | undefined)[]): AlongsideMove =>
  async (trx, moved) => {
    for (const write of writes) if (write) await write(trx, moved);
  };

/**
 * The only way an order's status changes. The table in src/domain/order-status.ts says what is legal; the
 * UPDATE is a compare-and-set on the current status, so two racing movers cannot both win; the database
 * trigger writes order_status_history with `reason`. The event the move announces (order.placed, order.shipped, …)
 * is written to the outbox by the same statement, so no caller has to remember it and no crash can split them.
 */
export async function transitionOrder(
  deps: { db: Knex; clock: Clock },
  order: Pick<OrderRecord, 'id' | 'orderNumber' | 'status'>,
  to: OrderStatus,
  reason: string,
  changes: OrderChanges = {},
  alongside?: AlongsideMove,
): Promise<OrderRecord> {
  if (!canTransition(order.status, to)) {
    throw new DomainError('invalid_transition', `Order ${order.orderNumber} cannot move from ${order.status} to ${to}`, {
      from: order.status,
      to,
      allowed: allowedTransitions(order.status),
    });
  }
  const now = deps.clock.now();
  const event = orderEventOf(to);
  const moved = alongside
    ? await deps.db.transaction(async (trx) => {
        const row = await updateOrderStatus(trx, order.id, order.status, to, reason, changes, now, event);
        if (row) await alongside(trx, row);
        return row;
      })
    : await updateOrderStatus(deps.db, order.id, order.status, to, reason, changes, now, event);
  if (moved) return moved;
  const current = await findOrderByNumber(deps.db, order.orderNumber);
  throw new DomainError('invalid_transition', `Order ${order.orderNumber} changed meanwhile (now ${current?.status})`, {
    from: current?.status ?? order.status,
    to,
  });
}
