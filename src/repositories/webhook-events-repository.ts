import type { Knex } from 'knex';

export type EventOutcome = 'applied' | 'ignored';

/** Claims a retailer event id for a store; false when it was seen before. */
export async function claimRetailerEvent(
  db: Knex,
  event: { storeId: string; eventId: string; type: string; payload: unknown },
): Promise<boolean> {
  const rows = await db('retailer_webhook_events')
    .insert({ store_id: event.storeId, event_id: event.eventId, type: event.type, payload: JSON.stringify(event.payload), outcome: 'ignored' })
    .onConflict(['store_id', 'event_id'])
    .ignore()
    .returning('id');
  return rows.length === 1;
}

export async function settleRetailerEvent(
  db: Knex,
  storeId: string,
  eventId: string,
  result: { outcome: EventOutcome; orderId?: string; note?: string },
): Promise<void> {
  await db('retailer_webhook_events')
    .where({ store_id: storeId, event_id: eventId })
    .update({ outcome: result.outcome, order_id: result.orderId ?? null, note: result.note ?? null });
}

export async function forgetRetailerEvent(db: Knex, storeId: string, eventId: string): Promise<void> {
  await db('retailer_webhook_events').where({ store_id: storeId, event_id: eventId }).delete();
}

export async function findRetailerEvent(db: Knex, storeId: string, eventId: string) {
  return db('retailer_webhook_events').where({ store_id: storeId, event_id: eventId }).first();
}

/** Claims a payment-provider event id; false when it was seen before. */
export async function claimProviderEvent(db: Knex, event: { id: string; type: string; payload: unknown }): Promise<boolean> {
  const rows = await db('provider_webhook_events')
    .insert({ id: event.id, type: event.type, payload: JSON.stringify(event.payload), outcome: 'ignored' })
    .onConflict('id')
    .ignore()
    .returning('id');
  return rows.length === 1;
}

export async function settleProviderEvent(db: Knex, id: string, result: { outcome: EventOutcome; note?: string }): Promise<void> {
  await db('provider_webhook_events').where({ id }).update({ outcome: result.outcome, note: result.note ?? null });
}

export async function forgetProviderEvent(db: Knex, id: string): Promise<void> {
  await db('provider_webhook_events').where({ id }).delete();
}
