import type { Knex } from 'knex';
import { AWAITING_DELIVERY_STATUSES, type OrderStatus } from '../domain/order-status';

/** A placed order of a store whose retailer sends no webhooks, claimed for one status poll. */
export interface DuePoll {
  orderId: string;
  orderNumber: string;
  status: OrderStatus;
  storeOrderNumber: string;
  storeSlug: string;
  placementConfig: Record<string, unknown>;
  unchangedPolls: number;
}

/**
 * Claims up to `limit` due orders of the given api platforms: their next poll is pushed `leaseMs` ahead in the same
 * statement, so another instance polling at the same moment skips them (SKIP LOCKED) or finds them not due.
 * An order polled for the first time has no row yet and is due at once.
 */
export async function claimDuePolls(
  db: Knex,
  platforms: readonly string[],
  now: Date,
  leaseMs: number,
  limit: number,
): Promise<DuePoll[]> {
  const { rows } = await db.raw(
    `WITH due AS (
       SELECT o.id, o.order_number, o.status, o.store_order_number, s.slug, s.placement_config, coalesce(p.unchanged_polls, 0) AS unchanged_polls
         FROM orders o
         JOIN stores s ON s.id = o.store_id
         LEFT JOIN order_status_polls p ON p.order_id = o.id
        WHERE o.status = ANY(?::text[])
          AND o.placement_method = 'api'
          AND o.store_order_number IS NOT NULL
          AND s.placement_config->>'platform' = ANY(?::text[])
          AND (p.next_poll_at IS NULL OR p.next_poll_at <= ?)
        ORDER BY p.next_poll_at NULLS FIRST
        LIMIT ?
        FOR UPDATE OF o SKIP LOCKED
     ), claimed AS (
       INSERT INTO order_status_polls (order_id, next_poll_at)
       SELECT id, ? FROM due
       ON CONFLICT (order_id) DO UPDATE SET next_poll_at = EXCLUDED.next_poll_at
       RETURNING order_id
     )
     SELECT due.* FROM due JOIN claimed ON claimed.order_id = due.id`,
    // Orders placed and not yet delivered can still move at the retailer; delivered, cancelled and refunded ones are final.
    [[...AWAITING_DELIVERY_STATUSES], [...platforms], now, limit, new Date(now.getTime() + leaseMs)],
  );
  return rows.map((row: Record<string, any>) => ({
    orderId: row.id,
    orderNumber: row.order_number,
    status: row.status,
    storeOrderNumber: row.store_order_number,
    storeSlug: row.slug,
    placementConfig: row.placement_config,
    unchangedPolls: row.unchanged_polls,
  }));
}

/** What one poll found, and when the order is next due. */
export async function recordPoll(
  db: Knex,
  orderId: string,
  poll: {
    nextPollAt: Date;
    unchangedPolls: number;
    retailerState: string | null;
    error: string | null;
    polledAt: Date;
  },
): Promise<void> {
  await db('order_status_polls')
    .where({ order_id: orderId })
    .update({
      next_poll_at: poll.nextPollAt,
      unchanged_polls: poll.unchangedPolls,
      last_remote_state: poll.retailerState,
      last_error: poll.error?.slice(0, 2000) ?? null,
      polled_at: poll.polledAt,
    });
}
