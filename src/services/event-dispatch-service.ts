import { composeEventEmail } from '../events/event-emails';
import { eventBody } from '../events/event-resources';
import { listDueEmails } from '../repositories/email-deliveries-repository';
import { recordFannedOut, takeUndispatched, type FannedOutEvent } from '../repositories/outbox-repository';
import { listDueLineHeads } from '../repositories/webhook-deliveries-repository';
import type { EventJob } from '../queue/event-queue';
import type { EventWiring } from './event-wiring';
import type { ServiceDeps } from './service-deps';

/** How late a send may be before the sweep hands it to the queue again (its job was lost with a crash). */
const SWEEP_GRACE_MS = 30_000;

/**
 * Fans outbox events out: fixes each event's body, writes one delivery per subscribed endpoint and the shopper's
 * mail, marks the event dispatched (all in one transaction, one dispatcher at a time, in seq order), then queues
 * the sends. A crash before the commit leaves the events to the next pass; one after it, to the sweep.
 */
export function createEventDispatchService(deps: ServiceDeps, wiring: EventWiring) {
  const { db, clock, logger } = deps;

  /** Fans out one batch; answers how many events it took (an event that cannot be rendered stays for the next pass). */
  async function dispatchBatch(limit: number): Promise<number> {
    const jobs: EventJob[] = [];
    const taken = await db.transaction(async (trx) => {
      const events = await takeUndispatched(trx, limit);
      if (!events) return 0;
      const fannedOut: FannedOutEvent[] = [];
      for (const event of events) {
        try {
          fannedOut.push({ seq: event.seq, body: eventBody(event), mail: await composeEventEmail(trx, event) });
        } catch (err) {
          // A bug in a template must not hold every later event back; this one is kept and logged on every pass.
          logger.error(
            { err, eventId: event.eventId, type: event.type },
            'event could not be rendered; left in the outbox',
          );
        }
      }
      // The whole batch in one statement: a round trip per event was most of the dispatcher's cost under load.
      const written = await recordFannedOut(trx, fannedOut, clock.now());
      jobs.push(
        ...written.deliveries.map((id) => ({ kind: 'webhook' as const, id })),
        ...written.emails.map((id) => ({ kind: 'email' as const, id })),
      );
      return events.length;
    });
    if (jobs.length > 0) {
      await wiring
        .enqueue(jobs)
        .catch((err) => logger.warn({ err, jobs: jobs.length }, 'queueing event sends failed; the sweep will'));
    }
    return taken;
  }

  return {
    /** Fans out every event written so far; returns how many. */
    async dispatchPending(batchSize = 100): Promise<number> {
      let total = 0;
      for (;;) {
        const dispatched = await dispatchBatch(batchSize);
        total += dispatched;
        if (dispatched < batchSize) return total;
      }
    },

    /** Queues again the sends that are due and not going out: the first waiting delivery of each line, and mails. */
    async resumeSends(limit = 500): Promise<number> {
      const dueBefore = new Date(clock.now().getTime() - SWEEP_GRACE_MS);
      const webhooks = await listDueLineHeads(db, dueBefore, limit);
      const emails = await listDueEmails(db, dueBefore, limit);
      const jobs: EventJob[] = [
        ...webhooks.map((id) => ({ kind: 'webhook' as const, id })),
        ...emails.map((id) => ({ kind: 'email' as const, id })),
      ];
      if (jobs.length > 0) await wiring.enqueue(jobs);
      return jobs.length;
    },
  };
}

export type EventDispatchService = ReturnType<typeof createEventDispatchService>;
