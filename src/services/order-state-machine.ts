import type { Knex } from 'knex';
import type { Clock } from '../domain/clock';
import { DomainError } from '../domain/errors';
import { orderEventOf } from '../domain/events';
import { allowedTransitions, canTransition, type OrderStatus } from '../domain/order-status';
import { updateOrderStatus } from '../repositories/order-writes-repository';
import { findOrderByNumber } from '../repositories/orders-repository';
import type { OrderChanges, OrderRecord } from '../domain/order';

/**
 * What a move leaves owed once it has committed, written down by the writes that commit with it: the keys of the
 * refunds it recorded as owed. The after-move hooks carry them out.
 */
export interface MoveDebts {
  refundKeys: string[];
}

/**
 * Writes that must commit together with an order's move or not at all (a task resolved by the move, the refund
 * the move owes): a crash can then never leave the one without the other. It runs on the move's transaction and
 * notes in `debts` what the after-move hooks must carry out.
 */
export type AlongsideMove = (trx: Knex.Transaction, moved: OrderRecord, debts: MoveDebts) => Promise<void>;

/** Several writes that commit with the same move, in this order. */
export const alongsideAll =
  (...writes: (AlongsideMove | undefined)[]): AlongsideMove =>
  async (trx, moved, debts) => {
    for (const write of writes) if (write) await write(trx, moved, debts);
  };

/** A move that has committed, as the after-move hooks see it. */
export interface OrderMove {
  order: OrderRecord;
  to: OrderStatus;
  debts: MoveDebts;
  /** Finishing the consequences of a move that committed earlier (`finishMove`), not a fresh one. */
  resumed: boolean;
}

/**
 * What follows a committed move (settle the checkout, send the refund it owes). Wired once by the composition
 * (src/services/order-moves.ts) and run by `transitionOrder` after the commit, never inside it: each hook is
 * idempotent and has a sweep that finishes it should the process die first.
 */
export type AfterMove = (move: OrderMove) => Promise<void>;

export interface MoveDeps {
  db: Knex;
  clock: Clock;
  /** Absent for a move made on a caller's own transaction, or by tests that stop before the consequences. */
  afterMove?: AfterMove;
}

/**
 * The only way an order's status changes. The table in src/domain/order-status.ts says what is legal; the
 * UPDATE is a compare-and-set on the current status, so two racing movers cannot both win; the database
 * trigger writes order_status_history with `reason`. The event the move announces (order.placed, order.shipped, …)
 * is written to the outbox by the same statement, so no caller has to remember it and no crash can split them.
 * Once the move has committed, the after-move hooks run (see `AfterMove`); an error of theirs is thrown after
 * every hook has run, with the move standing.
 */
export async function transitionOrder(
  deps: MoveDeps,
  order: Pick<OrderRecord, 'id' | 'orderNumber' | 'status'>,
  to: OrderStatus,
  reason: string,
  changes: OrderChanges = {},
  alongside?: AlongsideMove,
): Promise<OrderRecord> {
  if (!canTransition(order.status, to)) {
    throw new DomainError(
      'invalid_transition',
      `Order ${order.orderNumber} cannot move from ${order.status} to ${to}`,
      {
        from: order.status,
        to,
        allowed: allowedTransitions(order.status),
      },
    );
  }
  const now = deps.clock.now();
  const event = orderEventOf(to);
  const debts: MoveDebts = { refundKeys: [] };
  const moved = alongside
    ? await deps.db.transaction(async (trx) => {
        const row = await updateOrderStatus(trx, order.id, order.status, to, reason, changes, now, event);
        if (row) await alongside(trx, row, debts);
        return row;
      })
    : await updateOrderStatus(deps.db, order.id, order.status, to, reason, changes, now, event);
  if (moved) {
    await deps.afterMove?.({ order: moved, to, debts, resumed: false });
    return moved;
  }
  const current = await findOrderByNumber(deps.db, order.orderNumber);
  throw new DomainError('invalid_transition', `Order ${order.orderNumber} changed meanwhile (now ${current?.status})`, {
    from: current?.status ?? order.status,
    to,
  });
}

/**
 * Finishes what follows a move that committed earlier, whose consequences a crash or an outage may have cut short:
 * its alongside writes again (each must be idempotent) on a fresh transaction, then the after-move hooks.
 */
export async function finishMove(deps: MoveDeps, order: OrderRecord, alongside?: AlongsideMove): Promise<void> {
  const debts: MoveDebts = { refundKeys: [] };
  if (alongside) await deps.db.transaction((trx) => alongside(trx, order, debts));
  await deps.afterMove?.({ order, to: order.status, debts, resumed: true });
}
