import type { Knex } from 'knex';

export interface IdempotencyKeyRecord {
  scope: string;
  key: string;
  requestFingerprint: string;
  status: 'in_progress' | 'completed';
  responseStatus: number | null;
  responseBody: unknown;
  lockedUntil: Date | null;
}

const toRecord = (row: Record<string, any>): IdempotencyKeyRecord => ({
  scope: row.scope,
  key: row.key,
  requestFingerprint: row.request_fingerprint,
  status: row.status,
  responseStatus: row.response_status,
  responseBody: row.response_body,
  lockedUntil: row.locked_until,
});

/** Inserts the key as in progress; null when it already exists. */
export async function claimKey(
  db: Knex,
  scope: string,
  key: string,
  fingerprint: string,
  lockedUntil: Date,
): Promise<IdempotencyKeyRecord | null> {
  const [row] = await db('idempotency_keys')
    .insert({ scope, key, request_fingerprint: fingerprint, status: 'in_progress', locked_until: lockedUntil })
    .onConflict(['scope', 'key'])
    .ignore()
    .returning('*');
  return row ? toRecord(row) : null;
}

export async function findKey(db: Knex, scope: string, key: string): Promise<IdempotencyKeyRecord | null> {
  const row = await db('idempotency_keys').where({ scope, key }).first();
  return row ? toRecord(row) : null;
}

/** Takes over an in-progress key whose holder's lock ran out. */
export async function reclaimKey(db: Knex, scope: string, key: string, now: Date, lockedUntil: Date): Promise<boolean> {
  const updated = await db('idempotency_keys')
    .where({ scope, key, status: 'in_progress' })
    .where('locked_until', '<=', now)
    .update({ locked_until: lockedUntil, updated_at: now });
  return updated === 1;
}

export async function completeKey(db: Knex, scope: string, key: string, status: number, body: unknown): Promise<void> {
  await db('idempotency_keys')
    .where({ scope, key })
    .update({ status: 'completed', response_status: status, response_body: JSON.stringify(body), locked_until: null, updated_at: db.fn.now() });
}

export async function releaseKey(db: Knex, scope: string, key: string): Promise<void> {
  await db('idempotency_keys').where({ scope, key, status: 'in_progress' }).delete();
}
