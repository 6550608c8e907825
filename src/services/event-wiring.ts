import type { Mailer } from '../events/mailer';
import type { EventJob } from '../queue/event-queue';

/** How outbound events are retried, how long an endpoint may fail before it is disabled, where mails come from. */
export interface EventSettings {
  /** First retry delay; each next one doubles. */
  retryBaseMs: number;
  /** Tries per webhook delivery or mail, the first included. */
  maxAttempts: number;
  /** An endpoint failing without a single success for this long is disabled. */
  disableAfterMs: number;
  webhookTimeoutMs: number;
  mailFrom: string;
  /** How long a process may hold a mail it is sending before another one may take it over. */
  mailLeaseMs: number;
}

export const DEFAULT_EVENT_SETTINGS: EventSettings = {
  retryBaseMs: 60_000,
  maxAttempts: 13,
  disableAfterMs: 3 * 24 * 60 * 60_000,
  webhookTimeoutMs: 10_000,
  mailFrom: 'Orders <orders@mor-checkout.local>',
  mailLeaseMs: 120_000,
};

/** What the event services are given by the process that runs them. */
export interface EventWiring {
  /** Hands sends to the events queue. Called only after the rows are committed; a lost call is swept up later. */
  enqueue: (jobs: EventJob[]) => Promise<void>;
  /** SMTP; null keeps mails in the database (shown in the ops dashboard). */
  mailer: Mailer | null;
  settings: EventSettings;
}
