import type { Knex } from 'knex';

/** How a received event ended. */
export type EventOutcome = 'applied' | 'ignored';

/**
 * How long an event may stay claimed (`processing`) before a redelivery may take the claim over. Far longer
 * than applying an event takes (a Stripe refund included), so a claim is taken over when its process died. If
 * the holder is merely slow, applying twice is still safe (the order state machine and refund keys make the
 * second a no-op) and only the newer claim settles the row: `claimedAt` is the claim's fencing token.
 */
export const EVENT_CLAIM_LEASE_MS = 60_000;

/**
 * What claiming an event id found. `claimed`: ours to apply, `resumed` when it takes over a claim whose holder
 * died mid-way; `in_progress`: another delivery holds a live claim; `settled`: received and finished before.
 */
export type EventClaim =
  | { status: 'claimed'; claimedAt: Date; resumed: boolean }
  | { status: 'in_progress' }
  | { status: 'settled'; outcome: EventOutcome; note: string | null };

interface EventRow {
  table: 'retailer_webhook_events' | 'provider_webhook_events';
  /** The columns that identify the event (the table's unique key). */
  key: Record<string, string>;
}

const retailerRow = (storeId: string, eventId: string): EventRow => ({
  table: 'retailer_webhook_events',
  key: { store_id: storeId, event_id: eventId },
});
const providerRow = (id: string): EventRow => ({ table: 'provider_webhook_events', key: { id } });

async function claim(db: Knex, row: EventRow, columns: Record<string, unknown>, now: Date): Promise<EventClaim> {
  const inserted = await db(row.table)
    .insert({ ...row.key, ...columns, outcome: 'processing', claimed_at: now })
    .onConflict(Object.keys(row.key))
    .ignore()
    .returning('claimed_at');
  if (inserted.length === 1) return { status: 'claimed', claimedAt: inserted[0].claimed_at, resumed: false };

  // One statement, so of several redeliveries racing for a stale claim exactly one takes it over.
  const [takenOver] = await db(row.table)
    .where(row.key)
    .where({ outcome: 'processing' })
    .where('claimed_at', '<', new Date(now.getTime() - EVENT_CLAIM_LEASE_MS))
    .update({ claimed_at: now })
    .returning('claimed_at');
  if (takenOver) return { status: 'claimed', claimedAt: takenOver.claimed_at, resumed: true };

  const seen = await db(row.table).where(row.key).first('outcome', 'note');
  // No row: its holder failed and forgot it just now, so the sender's next delivery will be processed.
  if (!seen || seen.outcome === 'processing') return { status: 'in_progress' };
  return { status: 'settled', outcome: seen.outcome, note: seen.note };
}

/** Records the outcome; false when the claim was taken over meanwhile (the newer holder settles it). */
async function settle(db: Knex, row: EventRow, claimedAt: Date, columns: Record<string, unknown>): Promise<boolean> {
  const updated = await db(row.table)
    .where(row.key)
    .where({ outcome: 'processing', claimed_at: claimedAt })
    .update(columns);
  return updated === 1;
}

/** Drops a claim that was not applied, unless it was taken over meanwhile. */
async function forget(db: Knex, row: EventRow, claimedAt: Date): Promise<void> {
  await db(row.table).where(row.key).where({ outcome: 'processing', claimed_at: claimedAt }).delete();
}

/** Claims a retailer event id for a store (see `EventClaim`). */
export async function claimRetailerEvent(
  db: Knex,
  event: { storeId: string; eventId: string; type: string; payload: unknown },
  now: Date,
): Promise<EventClaim> {
  return claim(
    db,
    retailerRow(event.storeId, event.eventId),
    { type: event.type, payload: JSON.stringify(event.payload) },
    now,
  );
}

export async function settleRetailerEvent(
  db: Knex,
  storeId: string,
  eventId: string,
  claimedAt: Date,
  result: { outcome: EventOutcome; orderId?: string; note?: string },
): Promise<boolean> {
  return settle(db, retailerRow(storeId, eventId), claimedAt, {
    outcome: result.outcome,
    order_id: result.orderId ?? null,
    note: result.note ?? null,
  });
}

export async function forgetRetailerEvent(db: Knex, storeId: string, eventId: string, claimedAt: Date): Promise<void> {
  await forget(db, retailerRow(storeId, eventId), claimedAt);
}

/** Claims a payment-provider event id (see `EventClaim`). */
export async function claimProviderEvent(
  db: Knex,
  event: { id: string; type: string; payload: unknown },
  now: Date,
): Promise<EventClaim> {
  return claim(db, providerRow(event.id), { type: event.type, payload: JSON.stringify(event.payload) }, now);
}

export async function settleProviderEvent(
  db: Knex,
  id: string,
  claimedAt: Date,
  result: { outcome: EventOutcome; note?: string },
): Promise<boolean> {
  return settle(db, providerRow(id), claimedAt, { outcome: result.outcome, note: result.note ?? null });
}

export async function forgetProviderEvent(db: Knex, id: string, claimedAt: Date): Promise<void> {
  await forget(db, providerRow(id), claimedAt);
}
