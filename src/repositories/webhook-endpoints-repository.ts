import type { Knex } from 'knex';
import type { EndpointDeliveryCounts, WebhookEndpointRecord } from '../domain/webhook-endpoint';

const toEndpoint = (row: Record<string, any>): WebhookEndpointRecord => ({
  id: row.id,
  url: row.url,
  description: row.description,
  eventTypes: row.event_types,
  secret: row.secret,
  previousSecret: row.previous_secret,
  previousSecretExpiresAt: row.previous_secret_expires_at,
  status: row.status,
  disabledReason: row.disabled_reason,
  failingSince: row.failing_since,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export async function insertEndpoint(
  db: Knex,
  endpoint: { id: string; url: string; description: string | null; eventTypes: string[]; secret: string },
): Promise<WebhookEndpointRecord> {
  const [row] = await db('webhook_endpoints')
    .insert({
      id: endpoint.id,
      url: endpoint.url,
      description: endpoint.description,
      event_types: endpoint.eventTypes,
      secret: endpoint.secret,
    })
    .returning('*');
  return toEndpoint(row);
}

export async function findEndpoint(db: Knex, id: string): Promise<WebhookEndpointRecord | null> {
  const row = await db('webhook_endpoints').where({ id }).first();
  return row ? toEndpoint(row) : null;
}

export async function listEndpoints(db: Knex): Promise<WebhookEndpointRecord[]> {
  const rows = await db('webhook_endpoints').orderBy('created_at');
  return rows.map(toEndpoint);
}

/** Deletes the endpoint and, with it, its deliveries (the events stay in the outbox). */
export async function deleteEndpoint(db: Knex, id: string): Promise<boolean> {
  return (await db('webhook_endpoints').where({ id }).delete()) === 1;
}

/** The new secret signs from now on; the old one signs beside it until `previousExpiresAt` (both v1 values are sent). */
export async function rollSecret(
  db: Knex,
  id: string,
  secret: string,
  previousExpiresAt: Date,
  now: Date,
): Promise<WebhookEndpointRecord | null> {
  const [row] = await db('webhook_endpoints')
    .where({ id })
    .update({
      previous_secret: db.ref('secret'),
      previous_secret_expires_at: previousExpiresAt,
      secret,
      updated_at: now,
    })
    .returning('*');
  return row ? toEndpoint(row) : null;
}

export async function enableEndpoint(db: Knex, id: string, now: Date): Promise<WebhookEndpointRecord | null> {
  const [row] = await db('webhook_endpoints')
    .where({ id })
    .update({ status: 'enabled', disabled_reason: null, failing_since: null, updated_at: now })
    .returning('*');
  return row ? toEndpoint(row) : null;
}

/** A delivery went through: the endpoint is healthy again. */
export async function markEndpointHealthy(db: Knex, id: string): Promise<void> {
  await db('webhook_endpoints').where({ id }).whereNotNull('failing_since').update({ failing_since: null });
}

/**
 * A delivery failed: remembers since when the endpoint has been failing and, once that is longer ago than
 * `disableBefore`, disables it. Returns true when this call disabled it.
 */
export async function markEndpointFailing(
  db: Knex,
  id: string,
  now: Date,
  disableBefore: Date,
  reason: string,
): Promise<boolean> {
  const { rows } = await db.raw(
    `UPDATE webhook_endpoints
     SET failing_since = COALESCE(failing_since, ?),
         status = CASE WHEN COALESCE(failing_since, ?) < ? THEN 'disabled' ELSE status END,
         disabled_reason = CASE WHEN COALESCE(failing_since, ?) < ? AND status = 'enabled' THEN ? ELSE disabled_reason END,
         updated_at = ?
     WHERE id = ?
     RETURNING status, (SELECT status FROM webhook_endpoints WHERE id = ?) AS status_before`,
    [now, now, disableBefore, now, disableBefore, reason, now, id, id],
  );
  const row = rows[0];
  return row !== undefined && row.status === 'disabled' && row.status_before === 'enabled';
}

export async function deliveryCountsByEndpoint(db: Knex): Promise<Map<string, EndpointDeliveryCounts>> {
  const rows = await db('webhook_deliveries')
    .groupBy('endpoint_id', 'status')
    .select('endpoint_id', 'status')
    .count({ n: '*' });
  const counts = new Map<string, EndpointDeliveryCounts>();
  for (const row of rows as any[]) {
    const entry = counts.get(row.endpoint_id) ?? { pending: 0, succeeded: 0, failed: 0 };
    entry[row.status as keyof EndpointDeliveryCounts] = Number(row.n);
    counts.set(row.endpoint_id, entry);
  }
  return counts;
}
