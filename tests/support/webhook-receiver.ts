import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EVENT_SIGNATURE_HEADER, verifyEventSignature } from '../../src/domain/event-signature';

export interface ReceivedEvent {
  id: string;
  type: string;
  createdAt: string;
  data: any;
  rawBody: Buffer;
  signature: string | undefined;
  headers: IncomingHttpHeaders;
}

/**
 * The shopping app's side of our webhooks, on loopback: a real HTTP server that records what arrives. `answer` sets
 * the status it replies with (e.g. 503 while "down"); `stop()`/`start()` close and reopen the port itself.
 */
export async function startWebhookReceiver() {
  const received: ReceivedEvent[] = [];
  let answer = 200;
  let server: Server | null = null;
  let port = 0;

  async function listen(): Promise<void> {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks);
        if (answer >= 200 && answer < 300) {
          const event = JSON.parse(rawBody.toString('utf8'));
          received.push({
            ...event,
            rawBody,
            signature: req.headers[EVENT_SIGNATURE_HEADER.toLowerCase()] as string | undefined,
            headers: req.headers,
          });
        }
        res.writeHead(answer, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    port = (server!.address() as AddressInfo).port;
  }
  await listen();

  return {
    received,
    get url() {
      return `http://127.0.0.1:${port}/hooks`;
    },
    answerWith(status: number) {
      answer = status;
    },
    /** Closes the port: senders get "connection refused". */
    async stop() {
      server?.closeAllConnections();
      await new Promise((resolve) => server!.close(resolve));
      server = null;
    },
    start: listen,
    /** What a receiver does: verify the signature over the raw bytes with its secret. */
    verifies: (event: ReceivedEvent, secret: string) =>
      verifyEventSignature(event.signature, event.rawBody, secret, Math.floor(Date.now() / 1000)),
    ofSession: (sessionId: string) =>
      received.filter((event) => (event.data.checkoutSessionId ?? event.data.sessionId) === sessionId),
    async close() {
      if (server) await this.stop();
    },
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
