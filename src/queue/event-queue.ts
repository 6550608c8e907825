/**
 * The outbound events queue: one job per webhook delivery or email, named by the row it sends (`jobId` =
 * `webhook-<id>` / `email-<id>`, so adding one twice is a no-op while it exists). The database row is the truth
 * (status, attempts, next try); the job only says "send this now or at this time".
 */
export interface EventJob {
  kind: 'webhook' | 'email';
  id: string;
  /**
   * Makes the job id unique to one cause (a line moving on, a redelivery): such a job must run even while another
   * job for the same row is still finishing, which a plain re-add would be deduped against. The row's send lease
   * keeps two jobs from sending at once.
   */
  tag?: string;
}

/** A send's outcome: finished (sent, given up, waiting its turn behind an earlier event), or try again after a delay. */
export type EventJobOutcome = { kind: 'done' } | { kind: 'retry'; delayMs: number; error: string };

export type EventJobHandler = (job: EventJob) => Promise<EventJobOutcome>;

export interface EventQueue {
  enqueue(jobs: readonly EventJob[]): Promise<void>;
  close(): Promise<void>;
}

export const eventJobId = (job: EventJob): string => `${job.kind}-${job.id}${job.tag ? `-${job.tag}` : ''}`;

/**
 * The delay before try `attempt + 1` after `attempt` failed ones: base × 2^(attempt − 1). With the defaults
 * (1 minute, 13 tries) the tries spread over 4,095 minutes, about 2.8 days, the last gap 34 hours.
 */
export function eventRetryDelayMs(failedAttempts: number, baseMs: number): number {
  return baseMs * 2 ** Math.max(0, failedAttempts - 1);
}
