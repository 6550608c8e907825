import type { Knex } from 'knex';
import type { EmailRecord, EmailStatus } from '../domain/email';

const toEmail = (row: Record<string, any>): EmailRecord => ({
  id: String(row.id),
  eventId: row.event_id,
  template: row.template,
  to: row.to_address,
  subject: row.subject,
  text: row.text_body,
  html: row.html_body,
  status: row.status,
  attempts: row.attempts,
  lastError: row.last_error,
  messageId: row.message_id,
  sentAt: row.sent_at,
  createdAt: row.created_at,
});

const emails = (db: Knex) =>
  db('email_deliveries as m').join('outbox_events as e', 'e.seq', 'm.event_seq').select('m.*', 'e.event_id');

export async function findEmail(db: Knex, id: string): Promise<EmailRecord | null> {
  const row = await emails(db).where('m.id', id).first();
  return row ? toEmail(row) : null;
}

/**
 * Takes the mail for one send: pending, or `sending` by a process whose lease ran out. The lease keeps two
 * processes from sending the same mail at once; only a crash after the server accepted it and before `markEmailSent`
 * can send it again (with the same Message-ID).
 */
export async function claimEmail(db: Knex, id: string, now: Date, leaseUntil: Date): Promise<EmailRecord | null> {
  const [row] = await db('email_deliveries')
    .where({ id })
    .where((q) =>
      q.where('status', 'pending').orWhere((s) => s.where('status', 'sending').where('next_attempt_at', '<', now)),
    )
    .update({ status: 'sending', attempts: db.raw('attempts + 1'), next_attempt_at: leaseUntil })
    .returning('id');
  return row ? findEmail(db, String(row.id)) : null;
}

export async function markEmailSent(db: Knex, id: string, messageId: string, now: Date): Promise<void> {
  await db('email_deliveries')
    .where({ id, status: 'sending' })
    .update({ status: 'sent', message_id: messageId, sent_at: now, last_error: null });
}

/** Without an SMTP server the mail stays in the database, shown in the ops dashboard. */
export async function markEmailKept(db: Knex, id: string): Promise<boolean> {
  return (await db('email_deliveries').where({ id, status: 'pending' }).update({ status: 'kept' })) === 1;
}

/** A failed send: tried again at `nextAttemptAt`, or given up (failed) when that is null. */
export async function markEmailFailed(
  db: Knex,
  id: string,
  error: string,
  nextAttemptAt: Date | null,
  now: Date,
): Promise<void> {
  await db('email_deliveries')
    .where({ id, status: 'sending' })
    .update({
      status: nextAttemptAt ? 'pending' : 'failed',
      last_error: error.slice(0, 500),
      next_attempt_at: nextAttemptAt ?? now,
    });
}

/** Mails due since before `dueBefore` (pending, or sending with a lapsed lease): the sweep enqueues them again. */
export async function listDueEmails(db: Knex, dueBefore: Date, limit: number): Promise<string[]> {
  const rows = await db('email_deliveries')
    .whereIn('status', ['pending', 'sending'])
    .where('next_attempt_at', '<', dueBefore)
    .orderBy('id')
    .limit(limit)
    .select('id');
  return rows.map((row) => String(row.id));
}

export async function pageEmails(
  db: Knex,
  status: EmailStatus | undefined,
  limit: number,
  offset: number,
): Promise<{ emails: EmailRecord[]; total: number }> {
  const filter = (query: Knex.QueryBuilder) => (status ? query.where('m.status', status) : query);
  const [rows, count] = await Promise.all([
    filter(emails(db)).orderBy('m.id', 'desc').limit(limit).offset(offset),
    filter(db('email_deliveries as m')).first(db.raw('count(*)::int AS n')),
  ]);
  return { emails: rows.map(toEmail), total: count?.n ?? 0 };
}
