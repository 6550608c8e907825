import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';

/** What the proxy does to the requests whose body matches, for the next `times` of them (every one when absent). */
export interface ProxyRule {
  match: (body: string) => boolean;
  /** Waits this long before forwarding the request. */
  delayRequestMs?: number;
  /** Waits this long before handing the answer back. */
  delayResponseMs?: number;
  /** Keeps the request until `releaseHeld()` forwards it or `dropHeld()` cuts its connection; never forwarded otherwise. */
  hold?: boolean;
  times?: number;
}

interface Held {
  body: string;
  forward(): void;
  drop(): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A real HTTP proxy on loopback in front of one upstream (a Vendure, say): it forwards every request as it is,
 * and can be told to slow some down, or to hold one (the retailer never saw it) while a test kills the client.
 */
export async function startDelayingProxy(upstream: string) {
  const target = new URL(upstream);
  const rules: (ProxyRule & { used: number })[] = [];
  const held: Held[] = [];
  const waiters: { match: (body: string) => boolean; resolve: () => void }[] = [];
  let forwarded = 0;
  let inFlight = 0;

  function forward(req: IncomingMessage, body: Buffer, res: ServerResponse, delayResponseMs = 0): void {
    const headers = { ...req.headers, host: target.host };
    const upstreamRequest = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', async () => {
          forwarded += 1;
          if (delayResponseMs > 0) await sleep(delayResponseMs);
          inFlight -= 1;
          if (res.destroyed) return;
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(Buffer.concat(chunks));
        });
      },
    );
    upstreamRequest.on('error', () => {
      inFlight -= 1;
      res.destroy();
    });
    upstreamRequest.end(body);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const text = body.toString();
      inFlight += 1;
      for (const waiter of waiters.filter((w) => w.match(text))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      const rule = rules.find(
        (candidate) => candidate.match(text) && (candidate.times === undefined || candidate.used < candidate.times),
      );
      if (rule) rule.used += 1;
      if (rule?.hold) {
        held.push({
          body: text,
          forward: () => forward(req, body, res, rule.delayResponseMs),
          drop: () => {
            inFlight -= 1;
            res.destroy();
          },
        });
        return;
      }
      if (rule?.delayRequestMs) await sleep(rule.delayRequestMs);
      forward(req, body, res, rule?.delayResponseMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  return {
    url: `http://127.0.0.1:${port}`,
    addRule(rule: ProxyRule) {
      rules.push({ ...rule, used: 0 });
    },
    clearRules() {
      rules.length = 0;
    },
    /** Resolves when a request whose body matches arrives (from now on). */
    seen(match: (body: string) => boolean): Promise<void> {
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    heldCount: () => held.length,
    /** Requests received and not yet answered or dropped (a slowed one counts until its answer is handed back). */
    inFlight: () => inFlight,
    forwardedCount: () => forwarded,
    releaseHeld() {
      for (const request of held.splice(0)) request.forward();
    },
    dropHeld() {
      for (const request of held.splice(0)) request.drop();
    },
    async close() {
      held.splice(0).forEach((request) => request.drop());
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export type DelayingProxy = Awaited<ReturnType<typeof startDelayingProxy>>;

/** A GraphQL request body that calls this operation (field) name, e.g. `addPaymentToOrder`. */
export const callsField = (field: string) => (body: string) => body.includes(field);
