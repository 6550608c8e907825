import type { ManualPurchase } from '../placement/manual-adapter';
import type { Knex } from 'knex';
import type { OpsTaskKind, OpsTaskRecord, OpsTaskStatus } from '../domain/ops-task';

const toRecord = (row: Record<string, any>): OpsTaskRecord => ({
  id: row.id,
  orderId: row.order_id,
  orderNumber: row.order_number,
  kind: row.kind,
  status: row.status,
  payload: row.payload,
  claimedBy: row.claimed_by,
  claimedAt: row.claimed_at,
  resolvedBy: row.resolved_by,
  resolvedAt: row.resolved_at,
  storeOrderNumber: row.store_order_number,
  failureReason: row.failure_reason,
  createdAt: row.created_at,
});

const withOrderNumber = (db: Knex) =>
  db('ops_tasks as t').join('orders as o', 'o.id', 't.order_id').select('t.*', 'o.order_number');

/** Opens a task, or returns the order's live one of that kind: creating it twice yields one task. */
export async function openTask(
  db: Knex,
  task: { id: string; orderId: string; kind: OpsTaskKind; payload: Record<string, unknown> },
): Promise<OpsTaskRecord> {
  await db.raw(
    `INSERT INTO ops_tasks (id, order_id, kind, payload) VALUES (?, ?, ?, ?)
     ON CONFLICT (order_id, kind) WHERE status IN ('open', 'claimed') DO NOTHING`,
    [task.id, task.orderId, task.kind, JSON.stringify(task.payload)],
  );
  const live = await withOrderNumber(db)
    .where({ 't.order_id': task.orderId, 't.kind': task.kind })
    .whereIn('t.status', ['open', 'claimed'])
    .first();
  return toRecord(live);
}

export async function findTask(db: Knex, id: string): Promise<OpsTaskRecord | null> {
  const row = await withOrderNumber(db).where('t.id', id).first();
  return row ? toRecord(row) : null;
}

export async function findLiveTaskForOrder(db: Knex, orderId: string): Promise<OpsTaskRecord | null> {
  const row = await withOrderNumber(db).where('t.order_id', orderId).whereIn('t.status', ['open', 'claimed']).first();
  return row ? toRecord(row) : null;
}

/**
 * What the order's purchase tasks (placement, price review) say: one a person completed with the retailer's order
 * number, else one still live, else none.
 */
export async function findPurchaseRecord(db: Knex, orderId: string): Promise<ManualPurchase> {
  const rows = await db('ops_tasks')
    .where({ order_id: orderId })
    .whereIn('kind', ['place_order', 'price_review'])
    .whereIn('status', ['done', 'open', 'claimed'])
    .orderBy('created_at', 'desc')
    .select('id', 'status', 'claimed_by', 'store_order_number', 'resolved_at');
  const done = rows.find((row) => row.status === 'done' && row.store_order_number);
  if (done)
    return { kind: 'bought', taskId: done.id, storeOrderNumber: done.store_order_number, resolvedAt: done.resolved_at };
  const live = rows.find((row) => row.status !== 'done');
  return live ? { kind: 'in_hand', taskId: live.id, claimedBy: live.claimed_by } : { kind: 'none' };
}

/** Every task of the order that someone may still act on (open or claimed), oldest first. */
export async function listLiveTasksForOrder(db: Knex, orderId: string): Promise<OpsTaskRecord[]> {
  const rows = await withOrderNumber(db)
    .where('t.order_id', orderId)
    .whereIn('t.status', ['open', 'claimed'])
    .orderBy('t.created_at');
  return rows.map(toRecord);
}

export async function listTasks(
  db: Knex,
  status: OpsTaskStatus | undefined,
  limit: number,
  offset: number,
): Promise<OpsTaskRecord[]> {
  const query = withOrderNumber(db)
    .orderBy([{ column: 't.created_at' }, { column: 't.id' }])
    .limit(limit)
    .offset(offset);
  if (status) query.where('t.status', status);
  return (await query).map(toRecord);
}

/** How many tasks `listTasks` pages through with the same filter. */
export async function countTasks(db: Knex, status: OpsTaskStatus | undefined): Promise<number> {
  const query = db('ops_tasks').first(db.raw('count(*)::int AS tasks'));
  if (status) query.where({ status });
  return (await query)?.tasks ?? 0;
}

/** Compare-and-set on the task's status; false when another person got there first. */
export async function moveTask(
  db: Knex,
  id: string,
  from: readonly OpsTaskStatus[],
  to: OpsTaskStatus,
  fields: { claimedBy?: string; resolvedBy?: string; storeOrderNumber?: string; failureReason?: string },
  now: Date,
): Promise<boolean> {
  const updated = await db('ops_tasks')
    .where({ id })
    .whereIn('status', from)
    .update({
      status: to,
      updated_at: now,
      ...(fields.claimedBy ? { claimed_by: fields.claimedBy, claimed_at: now } : {}),
      ...(fields.resolvedBy ? { resolved_by: fields.resolvedBy, resolved_at: now } : {}),
      ...(fields.storeOrderNumber ? { store_order_number: fields.storeOrderNumber } : {}),
      ...(fields.failureReason ? { failure_reason: fields.failureReason } : {}),
    });
  return updated === 1;
}

/** Withdraws an order's live purchase tasks (placement, price review): nobody should buy it any more. */
export async function withdrawPurchaseTasks(db: Knex, orderId: string, by: string, now: Date): Promise<number> {
  return db('ops_tasks')
    .where({ order_id: orderId })
    .whereIn('kind', ['place_order', 'price_review'])
    .whereIn('status', ['open', 'claimed'])
    .update({ status: 'cancelled', resolved_by: by, resolved_at: now, updated_at: now });
}

/** Gives a claimed task back to the queue; false when it is no longer claimed. */
export async function releaseTask(db: Knex, id: string, now: Date): Promise<boolean> {
  const updated = await db('ops_tasks')
    .where({ id, status: 'claimed' })
    .update({ status: 'open', claimed_by: null, claimed_at: null, updated_at: now });
  return updated === 1;
}
