import type { Knex } from 'knex';
import type { DeliveryStatus, DeliveryView } from '../domain/webhook-delivery';

/** A delivery with what sending it needs: the event's fixed body and the endpoint's url and secrets. */
export interface DeliveryToSend {
  id: string;
  endpointId: string;
  orderingKey: string;
  eventSeq: string;
  status: DeliveryStatus;
  attempts: number;
  eventId: string;
  eventType: string;
  body: string;
  url: string;
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  endpointStatus: 'enabled' | 'disabled';
}

export async function findDeliveryToSend(db: Knex, id: string): Promise<DeliveryToSend | null> {
  const row = await db('webhook_deliveries as d')
    .join('outbox_events as e', 'e.seq', 'd.event_seq')
    .join('webhook_endpoints as w', 'w.id', 'd.endpoint_id')
    .where('d.id', id)
    .first(
      'd.id',
      'd.endpoint_id',
      'd.ordering_key',
      'd.event_seq',
      'd.status',
      'd.attempts',
      'e.event_id',
      'e.type',
      'e.body',
      'w.url',
      'w.secret',
      'w.previous_secret',
      'w.previous_secret_expires_at',
      'w.status as endpoint_status',
    );
  if (!row) return null;
  return {
    id: String(row.id),
    endpointId: row.endpoint_id,
    orderingKey: row.ordering_key,
    eventSeq: String(row.event_seq),
    status: row.status,
    attempts: row.attempts,
    eventId: row.event_id,
    eventType: row.type,
    body: row.body,
    url: row.url,
    secret: row.secret,
    previousSecret: row.previous_secret,
    previousSecretExpiresAt: row.previous_secret_expires_at,
    endpointStatus: row.endpoint_status,
  };
}

/** Whether an earlier event of the same line (endpoint and checkout) still waits to be delivered. */
export async function hasEarlierPending(
  db: Knex,
  delivery: Pick<DeliveryToSend, 'endpointId' | 'orderingKey' | 'eventSeq'>,
): Promise<boolean> {
  const row = await db('webhook_deliveries')
    .where({ endpoint_id: delivery.endpointId, ordering_key: delivery.orderingKey, status: 'pending' })
    .where('event_seq', '<', delivery.eventSeq)
    .first('id');
  return row !== undefined;
}

/** The first delivery still pending in a line, if any: the one to send next. */
export async function nextPendingInLine(db: Knex, endpointId: string, orderingKey: string): Promise<string | null> {
  const row = await db('webhook_deliveries')
    .where({ endpoint_id: endpointId, ordering_key: orderingKey, status: 'pending' })
    .orderBy('event_seq')
    .first('id');
  return row ? String(row.id) : null;
}

/** Takes the delivery for one send until `until`; false when it is settled or another send holds it. */
export async function claimDelivery(db: Knex, id: string, now: Date, until: Date): Promise<boolean> {
  const claimed = await db('webhook_deliveries')
    .where({ id, status: 'pending' })
    .where((q) => q.whereNull('locked_until').orWhere('locked_until', '<', now))
    .update({ locked_until: until });
  return claimed === 1;
}

export async function recordDeliverySuccess(db: Knex, id: string, statusCode: number, now: Date): Promise<void> {
  await db('webhook_deliveries')
    .where({ id, status: 'pending' })
    .update({
      status: 'succeeded',
      attempts: db.raw('attempts + 1'),
      last_status_code: statusCode,
      last_error: null,
      last_attempt_at: now,
      delivered_at: now,
      locked_until: null,
    });
}

/** Records a failed try; `nextAttemptAt` null gives the delivery up (status failed). */
export async function recordDeliveryFailure(
  db: Knex,
  id: string,
  failure: { statusCode: number | null; error: string; nextAttemptAt: Date | null },
  now: Date,
): Promise<void> {
  await db('webhook_deliveries')
    .where({ id, status: 'pending' })
    .update({
      status: failure.nextAttemptAt ? 'pending' : 'failed',
      attempts: db.raw('attempts + 1'),
      last_status_code: failure.statusCode,
      last_error: failure.error.slice(0, 500),
      last_attempt_at: now,
      next_attempt_at: failure.nextAttemptAt ?? now,
      locked_until: null,
    });
}

/** Sends a delivery again (ops): pending with a fresh budget of tries. Null when there is no such delivery. */
export async function resetDelivery(db: Knex, id: string, now: Date): Promise<string | null> {
  const [row] = await db('webhook_deliveries')
    .where({ id })
    .update({ status: 'pending', attempts: 0, next_attempt_at: now, delivered_at: null })
    .returning('id');
  return row ? String(row.id) : null;
}

/**
 * The first pending delivery of each line of enabled endpoints that is due since before `dueBefore`: what the sweep
 * hands to the queue again in case its job was lost (adding a job that exists is a no-op).
 */
export async function listDueLineHeads(
  db: Knex,
  dueBefore: Date,
  limit: number,
  endpointId?: string,
): Promise<string[]> {
  const { rows } = await db.raw(
    `SELECT DISTINCT ON (d.endpoint_id, d.ordering_key) d.id, d.next_attempt_at
     FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
     WHERE d.status = 'pending' AND w.status = 'enabled' ${endpointId ? 'AND w.id = ?' : ''}
     ORDER BY d.endpoint_id, d.ordering_key, d.event_seq`,
    endpointId ? [endpointId] : [],
  );
  return rows
    .filter((row: { next_attempt_at: Date }) => row.next_attempt_at < dueBefore)
    .slice(0, limit)
    .map((row: { id: string }) => String(row.id));
}

const deliveryViews = (db: Knex) =>
  db('webhook_deliveries as d')
    .join('outbox_events as e', 'e.seq', 'd.event_seq')
    .leftJoin('orders as o', 'o.id', 'e.order_id')
    .select('d.*', 'e.event_id', 'e.type as event_type', 'e.checkout_session_id', 'o.order_number');

const toView = (row: Record<string, any>): DeliveryView => ({
  id: String(row.id),
  endpointId: row.endpoint_id,
  eventId: row.event_id,
  eventType: row.event_type,
  checkoutSessionId: row.checkout_session_id,
  orderNumber: row.order_number,
  status: row.status,
  attempts: row.attempts,
  lastStatusCode: row.last_status_code,
  lastError: row.last_error,
  lastAttemptAt: row.last_attempt_at,
  nextAttemptAt: row.status === 'pending' ? row.next_attempt_at : null,
  deliveredAt: row.delivered_at,
  createdAt: row.created_at,
});

/** One endpoint's deliveries, newest first. */
export async function pageDeliveries(
  db: Knex,
  endpointId: string,
  status: DeliveryStatus | undefined,
  limit: number,
  offset: number,
): Promise<{ deliveries: DeliveryView[]; total: number }> {
  const filter = (query: Knex.QueryBuilder) => {
    query.where('d.endpoint_id', endpointId);
    if (status) query.where('d.status', status);
    return query;
  };
  const [rows, count] = await Promise.all([
    filter(deliveryViews(db)).orderBy('d.id', 'desc').limit(limit).offset(offset),
    filter(db('webhook_deliveries as d')).first(db.raw('count(*)::int AS n')),
  ]);
  return { deliveries: rows.map(toView), total: count?.n ?? 0 };
}

export async function findDeliveryView(db: Knex, id: string): Promise<DeliveryView | null> {
  const row = await deliveryViews(db).where('d.id', id).first();
  return row ? toView(row) : null;
}
