import type { Knex } from 'knex';
import type { DisputeRecord, OrderDispute } from '../domain/dispute';

/** Disputes Stripe opened on checkouts' payments, and the orders each concerns. */

/** A dispute as first recorded: the repository keeps `updatedAt`. */
export type NewDispute = Omit<DisputeRecord, 'updatedAt'>;

const toRecord = (row: Record<string, any>): DisputeRecord => ({
  id: row.id,
  checkoutSessionId: row.checkout_session_id,
  paymentIntentId: row.payment_intent_id,
  chargeId: row.charge_id,
  amountCents: row.amount_cents,
  currency: row.currency,
  reason: row.reason,
  status: row.status,
  attribution: row.attribution,
  openedAt: row.opened_at,
  closedAt: row.closed_at,
  updatedAt: row.updated_at,
});

/**
 * Records the dispute as Stripe reports it now. A closed dispute stays closed: events arrive in any order, and an
 * `updated` delivered after the `closed` must not reopen it.
 */
export async function upsertDispute(
  trx: Knex.Transaction,
  dispute: NewDispute,
  now: Date,
): Promise<{ before: DisputeRecord | null; after: DisputeRecord }> {
  const before = await trx('disputes').where({ id: dispute.id }).forUpdate().first();
  if (!before) {
    const [row] = await trx('disputes')
      .insert({
        id: dispute.id,
        checkout_session_id: dispute.checkoutSessionId,
        payment_intent_id: dispute.paymentIntentId,
        charge_id: dispute.chargeId,
        amount_cents: dispute.amountCents,
        currency: dispute.currency,
        reason: dispute.reason,
        status: dispute.status,
        attribution: dispute.attribution,
        opened_at: dispute.openedAt,
        closed_at: dispute.closedAt,
        updated_at: now,
      })
      .returning('*');
    return { before: null, after: toRecord(row) };
  }
  if (before.closed_at) return { before: toRecord(before), after: toRecord(before) };
  const [row] = await trx('disputes')
    .where({ id: dispute.id })
    .update({
      status: dispute.status,
      amount_cents: dispute.amountCents,
      reason: dispute.reason,
      closed_at: dispute.closedAt,
      updated_at: now,
    })
    .returning('*');
  return { before: toRecord(before), after: toRecord(row) };
}

export async function listDisputeShares(
  db: Knex,
  disputeId: string,
): Promise<{ orderId: string; amountCents: number }[]> {
  const rows = await db('dispute_orders').where({ dispute_id: disputeId }).select('order_id', 'amount_cents');
  return rows.map((row) => ({ orderId: row.order_id, amountCents: row.amount_cents }));
}

export async function insertDisputeShares(
  trx: Knex.Transaction,
  disputeId: string,
  shares: { orderId: string; cents: number }[],
): Promise<void> {
  if (shares.length === 0) return;
  await trx('dispute_orders')
    .insert(shares.map((share) => ({ dispute_id: disputeId, order_id: share.orderId, amount_cents: share.cents })))
    .onConflict(['dispute_id', 'order_id'])
    .ignore();
}

/** The disputes concerning each order, newest first. */
export async function listDisputesOfOrders(
  db: Knex,
  orderIds: readonly string[],
): Promise<Map<string, OrderDispute[]>> {
  const byOrder = new Map<string, OrderDispute[]>();
  if (orderIds.length === 0) return byOrder;
  const rows = await db('dispute_orders as o')
    .join('disputes as d', 'd.id', 'o.dispute_id')
    .whereIn('o.order_id', orderIds)
    .orderBy('d.opened_at', 'desc')
    .select('d.*', 'o.order_id', db.raw('o.amount_cents AS order_amount_cents'));
  for (const row of rows) {
    const list = byOrder.get(row.order_id) ?? [];
    list.push({ ...toRecord(row), orderAmountCents: row.order_amount_cents });
    byOrder.set(row.order_id, list);
  }
  return byOrder;
}
