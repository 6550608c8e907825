import type { Knex } from 'knex';
import type { AttemptOutcome } from '../domain/placement-attempt';
import { hotQuery } from '../db/hot-query';
import type { PlacementMethod } from '../domain/placement-method';

export interface PlacementAttemptRecord {
  method: PlacementMethod;
  attempt: number;
  outcome: AttemptOutcome;
  errorCode: string | null;
  message: string | null;
  details: Record<string, unknown>;
  durationMs: number;
  createdAt: Date;
}

export async function recordAttempt(
  db: Knex,
  orderId: string,
  attempt: Omit<PlacementAttemptRecord, 'createdAt'>,
): Promise<void> {
  // Every try of every order writes one: a hot statement (hot-query.ts).
  await hotQuery(
    db,
    'placement_attempts.insert',
    `INSERT INTO placement_attempts (order_id, method, attempt, outcome, error_code, message, details, duration_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      orderId,
      attempt.method,
      attempt.attempt,
      attempt.outcome,
      attempt.errorCode,
      attempt.message?.slice(0, 2000) ?? null,
      JSON.stringify(attempt.details),
      attempt.durationMs,
    ],
  );
}

export async function listAttempts(db: Knex, orderId: string): Promise<PlacementAttemptRecord[]> {
  const rows = await db('placement_attempts').where({ order_id: orderId }).orderBy('id');
  return rows.map((row) => ({
    method: row.method,
    attempt: row.attempt,
    outcome: row.outcome,
    errorCode: row.error_code,
    message: row.message,
    details: row.details,
    durationMs: row.duration_ms,
    createdAt: row.created_at,
  }));
}
