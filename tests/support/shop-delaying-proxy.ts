import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A real HTTP forward proxy on loopback (what Chromium's `--proxy-server` speaks: absolute-form request URLs),
 * which delays answers and can fail some of them. A request whose client went away is still completed upstream,
 * as a real network would: the shop does not learn that the browser died.
 */
export interface DelayingProxy {
  readonly url: string;
  /** Chromium flags that send every request, loopback included, through this proxy. */
  readonly chromiumArgs: string[];
  /** Delay every answer whose path matches by this long (`undefined` pattern: every answer). */
  setDelay(ms: number, pathPattern?: RegExp): void;
  /** Answer 502 to requests whose path matches, without forwarding them. */
  failPaths(pattern: RegExp | undefined): void;
  /** Resolves when a request matching method and path has been forwarded and answered by the shop. */
  forwarded(method: string, pathPattern: RegExp): Promise<void>;
  stop(): Promise<void>;
}

export async function startDelayingProxy(): Promise<DelayingProxy> {
  let delayMs = 0;
  let delayPattern: RegExp | undefined;
  let failing: RegExp | undefined;
  const watchers: { method: string; pattern: RegExp; resolve: () => void }[] = [];

  const server = http.createServer((req, res) => {
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute-form URL expected');
      return;
    }
    if (failing?.test(target.pathname)) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway (test proxy)');
      return;
    }
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: req.method,
        headers: { ...req.headers, connection: 'close' },
      },
      async (answer) => {
        const body: Buffer[] = [];
        for await (const chunk of answer) body.push(chunk as Buffer);
        for (const watcher of watchers.filter((w) => w.method === req.method && w.pattern.test(target.pathname))) {
          watchers.splice(watchers.indexOf(watcher), 1);
          watcher.resolve();
        }
        if (delayMs > 0 && (!delayPattern || delayPattern.test(target.pathname))) await sleep(delayMs);
        if (res.destroyed) return;
        const headers = { ...answer.headers };
        delete headers['transfer-encoding'];
        delete headers.connection;
        res.writeHead(answer.statusCode ?? 502, headers);
        res.end(Buffer.concat(body));
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent && !res.destroyed) res.writeHead(502).end('upstream error');
    });
    req.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    chromiumArgs: [`--proxy-server=${url}`, '--proxy-bypass-list=<-loopback>'],
    setDelay(ms, pathPattern) {
      delayMs = ms;
      delayPattern = pathPattern;
    },
    failPaths(pattern) {
      failing = pattern;
    },
    forwarded: (method, pattern) => new Promise((resolve) => watchers.push({ method, pattern, resolve })),
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
