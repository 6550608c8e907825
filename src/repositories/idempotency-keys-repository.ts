import type { Knex } from 'knex';
import { hotQuery } from '../db/hot-query';

export interface IdempotencyKeyRecord {
  scope: string;
  key: string;
  requestFingerprint: string;
  status: 'in_progress' | 'completed';
  responseStatus: number | null;
  responseBody: unknown;
  lockedUntil: Date | null;
}

const COLUMNS = ['scope', 'key', 'request_fingerprint', 'status', 'response_status', 'response_body', 'locked_until'];

const toRecord = (row: Record<string, any>): IdempotencyKeyRecord => ({
  scope: row.scope,
  key: row.key,
  requestFingerprint: row.request_fingerprint,
  status: row.status,
  responseStatus: row.response_status,
  responseBody: row.response_body,
  lockedUntil: row.locked_until,
});

/**
 * Inserts the key as in progress (`claimed`), or returns the row already there, in one round trip. Null in the rare
 * race where another request's insert of the key committed after this statement began: the insert then does nothing
 * while the read, which sees the statement's snapshot, finds nothing either; asking again settles it.
 */
export async function claimKey(
  db: Knex,
  scope: string,
  key: string,
  fingerprint: string,
  lockedUntil: Date,
): Promise<{ claimed: boolean; record: IdempotencyKeyRecord } | null> {
  const columns = COLUMNS.join(', ');
  const { rows } = await hotQuery(
    db,
    'idempotency_keys.claim',
    `WITH claimed AS (
         INSERT INTO idempotency_keys (scope, key, request_fingerprint, status, locked_until)
         VALUES (?, ?, ?, 'in_progress', ?)
         ON CONFLICT (scope, key) DO NOTHING
         RETURNING true AS claimed, ${columns}
       )
       SELECT * FROM claimed
       UNION ALL
       SELECT false AS claimed, ${columns} FROM idempotency_keys
       WHERE scope = ? AND key = ? AND NOT EXISTS (SELECT 1 FROM claimed)`,
    [scope, key, fingerprint, lockedUntil, scope, key],
  );
  const row = rows[0];
  return row ? { claimed: row.claimed === true, record: toRecord(row) } : null;
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
  await hotQuery(
    db,
    'idempotency_keys.complete',
    `UPDATE idempotency_keys SET status = 'completed', response_status = ?, response_body = ?, locked_until = NULL, updated_at = now()
     WHERE scope = ? AND key = ?`,
    [status, JSON.stringify(body), scope, key],
  );
}

export async function releaseKey(db: Knex, scope: string, key: string): Promise<void> {
  await db('idempotency_keys').where({ scope, key, status: 'in_progress' }).delete();
}
