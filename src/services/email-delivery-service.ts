import { eventRetryDelayMs, type EventJobOutcome } from '../queue/event-queue';
import { claimEmail, markEmailFailed, markEmailKept, markEmailSent } from '../repositories/email-deliveries-repository';
import type { EventWiring } from './event-wiring';
import type { ServiceDeps } from './service-deps';

/**
 * Sends one shopper mail over SMTP. The mail row is claimed with a lease before sending, so two processes never
 * send it at once and a sent mail is never sent again; only a crash between the server's acceptance and the
 * `sent` mark repeats it, with the same Message-ID. Without SMTP the mail is kept in the database.
 */
export function createEmailDeliveryService(deps: ServiceDeps, wiring: EventWiring) {
  const { db, clock, logger } = deps;
  const { settings, mailer } = wiring;

  return {
    async send(id: string): Promise<EventJobOutcome> {
      if (!mailer) {
        await markEmailKept(db, id);
        return { kind: 'done' };
      }
      const now = clock.now();
      const mail = await claimEmail(db, id, now, new Date(now.getTime() + settings.mailLeaseMs));
      if (!mail) return { kind: 'done' };
      const messageId = `<${mail.eventId}@mor-checkout>`;
      try {
        await mailer.send({
          from: settings.mailFrom,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId,
        });
      } catch (err) {
        const error = (err as Error).message;
        const giveUp = mail.attempts >= settings.maxAttempts;
        const delayMs = eventRetryDelayMs(mail.attempts, settings.retryBaseMs);
        await markEmailFailed(db, id, error, giveUp ? null : new Date(now.getTime() + delayMs), now);
        if (giveUp) {
          logger.error({ emailId: id, to: mail.to, error }, 'mail given up');
          return { kind: 'done' };
        }
        return { kind: 'retry', delayMs, error };
      }
      await markEmailSent(db, id, messageId, clock.now());
      return { kind: 'done' };
    },
  };
}
