import type { Knex } from 'knex';
import type { PlacementMethod } from '../domain/placement-method';

/**
 * The method each order's next placement run will use, for the queue to pick its method's queue: a pending order
 * takes its store's ops override (placement has not started), any other keeps the method it is being placed by.
 * The same rule the placement run applies; orders not found are left out.
 */
export async function placementMethodsOf(
  db: Knex,
  orderNumbers: readonly string[],
): Promise<Map<string, PlacementMethod>> {
  if (orderNumbers.length === 0) return new Map();
  const { rows } = await db.raw(
    `SELECT o.order_number,
            CASE WHEN o.status = 'pending' AND s.method_override IS NOT NULL THEN s.method_override ELSE o.placement_method END AS method
     FROM orders o JOIN stores s ON s.id = o.store_id
     WHERE o.order_number = ANY(?::text[])`,
    [[...orderNumbers]],
  );
  return new Map(rows.map((row: { order_number: string; method: PlacementMethod }) => [row.order_number, row.method]));
}
