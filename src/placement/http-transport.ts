import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface HttpExchange {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** The whole exchange, response body included, must finish within this. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpReply {
  status: number;
  /** A response header by lower-case name (the first value if it was repeated). */
  header(name: string): string | undefined;
  text: string;
}

/** Why an exchange produced no response: out of time, aborted by the caller, or the connection failed. */
export class HttpTransportError extends Error {
  constructor(
    readonly reason: 'timeout' | 'aborted' | 'connection',
    message: string,
    /** The socket error's code for `connection` (ECONNREFUSED, ECONNRESET …). */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'HttpTransportError';
  }
}

export type HttpTransport = (exchange: HttpExchange) => Promise<HttpReply>;

/**
 * Small JSON exchanges over keep-alive connections, with node:http/https. Redirects are never followed: a 3xx comes
 * back as it is. Not fetch: for the few hundred bytes a retailer call moves, fetch's web streams and AbortSignal
 * plumbing cost about three times the CPU of the whole exchange here, and a placement worker makes two per order.
 */
export function createHttpTransport(): HttpTransport {
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

  return (exchange) =>
    new Promise((resolve, reject) => {
      const url = new URL(exchange.url);
      const https = url.protocol === 'https:';
      let settled = false;
      const settle = () => {
        settled = true;
        clearTimeout(timer);
        exchange.signal?.removeEventListener('abort', onAbort);
      };
      const fail = (error: HttpTransportError) => {
        if (settled) return;
        settle();
        reject(error);
        // Only an unfinished exchange is cut off; a finished one's socket already serves the next request.
        request.destroy();
      };
      const onAbort = () => fail(new HttpTransportError('aborted', 'aborted by the caller'));
      const timer = setTimeout(
        () => fail(new HttpTransportError('timeout', `no answer within ${exchange.timeoutMs} ms`)),
        exchange.timeoutMs,
      );
      const connectionFailed = (error: NodeJS.ErrnoException) =>
        fail(new HttpTransportError('connection', error.message, error.code));

      const request: ClientRequest = (https ? httpsRequest : httpRequest)(
        url,
        {
          method: exchange.method,
          headers:
            exchange.body === undefined
              ? exchange.headers
              : { ...exchange.headers, 'content-length': String(Buffer.byteLength(exchange.body)) },
          agent: https ? agents.https : agents.http,
        },
        (response: IncomingMessage) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', connectionFailed);
          response.on('end', () => {
            if (settled) return;
            settle();
            resolve({
              status: response.statusCode ?? 0,
              header: (name) => {
                const value = response.headers[name];
                return Array.isArray(value) ? value[0] : value;
              },
              text: Buffer.concat(chunks).toString('utf8'),
            });
          });
          response.on('close', () => {
            if (!response.complete)
              connectionFailed(Object.assign(new Error('connection closed mid-response'), { code: 'ECONNRESET' }));
          });
        },
      );
      request.on('error', connectionFailed);
      if (exchange.signal?.aborted) return onAbort();
      exchange.signal?.addEventListener('abort', onAbort, { once: true });
      request.end(exchange.body);
    });
}
