import type { Knex } from 'knex';
import { hotQuery } from '../db/hot-query';
import { PAID_SESSION_STATUSES, SESSION_OUTCOMES, sessionMove } from '../domain/session-status';
import { insertCheckoutEventsSql } from './outbox-sql';
import { sqlLiterals } from './sql-literals';

/** A paid checkout's outcome from its orders, and the checkouts whose settle a crash lost. */

/** A paid session settles (again) to its orders' outcome: from any paid status to any other outcome. */
const SETTLE = PAID_SESSION_STATUSES.flatMap((from) =>
  SESSION_OUTCOMES.filter((to) => to !== from).map((to) => sessionMove(from, to)),
);

/** Which order statuses count as settled, and which of those as failed, for a checkout's outcome. */
export interface SettlementRule {
  settled: readonly string[];
  failed: readonly string[];
}

// The outcome's event (checkout.completed, .partially_failed, .failed) is written by the same statement.
const SETTLE_FROM_ORDERS = `WITH settled AS (
     UPDATE checkout_sessions cs
     SET status = t.outcome, updated_at = ?
     FROM (
       SELECT count(*) FILTER (WHERE o.status <> ALL(?::text[])) AS unsettled,
              CASE count(*) FILTER (WHERE o.status = ANY(?::text[]))
                WHEN 0 THEN 'completed'
                WHEN count(*) THEN 'failed'
                ELSE 'partially_failed'
              END AS outcome
       FROM orders o
       WHERE o.checkout_session_id = ?
     ) t
     WHERE cs.id = ? AND t.unsettled = 0
       AND cs.status IN (${sqlLiterals([...new Set(SETTLE.map((move) => move.from))])}) AND cs.status <> t.outcome
     RETURNING cs.*
   ), settled_event AS (${insertCheckoutEventsSql('settled', null, "'checkout.' || ev_cs.status")})
   SELECT count(*)::int AS settled FROM settled`;

/**
 * A paid session's outcome from its orders, once none is unsettled: completed when none failed, failed when all
 * did, partially_failed otherwise. A settled session whose orders changed since (cancelled later, placed on an ops
 * retry) is settled again; a session some order is still open for is left alone. Returns whether it changed.
 *
 * One statement that reads the orders and writes the session. It must run on its own, after the caller's order move
 * has committed: under READ COMMITTED a statement sees every move committed before it started, so when two orders of
 * one checkout settle at once, the later of the two statements sees both. Inside the order's own transaction or
 * statement each would miss the other's uncommitted move, and neither would settle the session.
 */
export async function settleSessionFromOrders(db: Knex, id: string, rule: SettlementRule, now: Date): Promise<boolean> {
  // Every settling order move is followed by it: a hot statement (hot-query.ts).
  const { rows } = await hotQuery<{ settled: number }>(db, 'checkout_sessions.settle_from_orders', SETTLE_FROM_ORDERS, [
    now,
    [...rule.settled],
    [...rule.failed],
    id,
    id,
  ]);
  return rows[0].settled === 1;
}

/**
 * Checkouts still `placed` since before `changedBefore` although every order is settled: the process died between
 * an order's move and the checkout's settle.
 */
export async function listOverdueSettlements(
  db: Knex,
  rule: SettlementRule,
  changedBefore: Date,
  limit: number,
): Promise<string[]> {
  const { rows } = await db.raw(
    `SELECT cs.id FROM checkout_sessions cs
     WHERE cs.status = 'placed' AND cs.updated_at < ?
       AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.checkout_session_id = cs.id AND o.status <> ALL(?::text[]))
     ORDER BY cs.updated_at
     LIMIT ?`,
    [changedBefore, [...rule.settled], limit],
  );
  return rows.map((row: { id: string }) => row.id);
}
