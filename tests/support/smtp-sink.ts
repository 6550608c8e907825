import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server on loopback that parses every mail it accepts (the shopper's mailbox, for tests). */
export async function startSmtpSink() {
  const mails: ParsedMail[] = [];
  let refuse = false;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          if (refuse) return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 451 }));
          mails.push(mail);
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    mails,
    url: `smtp://127.0.0.1:${port}`,
    /** Answer every mail with a temporary failure (451) until called with false. */
    refuseMail(value: boolean) {
      refuse = value;
    },
    to: (address: string) =>
      mails.filter((mail) => mail.to && !Array.isArray(mail.to) && mail.to.value.some((v) => v.address === address)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type SmtpSink = Awaited<ReturnType<typeof startSmtpSink>>;
