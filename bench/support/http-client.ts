import { Agent, request } from 'node:http';

export interface JsonResponse {
  status: number;
  body: any;
}

export interface HttpClient {
  send(
    method: string,
    path: string,
    options?: { headers?: Record<string, string>; body?: unknown },
  ): Promise<JsonResponse>;
  close(): void;
}

/**
 * A lean JSON client over keep-alive sockets. node:http rather than fetch: on a 2-core machine the load generator
 * shares the CPU with the service it measures, so its own cost per request should be as small as possible.
 */
export function createHttpClient(baseUrl: string, maxSockets: number): HttpClient {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets });
  return {
    send(method, path, options = {}) {
      const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
      return new Promise((resolve, reject) => {
        const req = request(
          {
            agent,
            host: url.hostname,
            port: url.port,
            method,
            path,
            headers: {
              accept: 'application/json',
              ...(payload === undefined
                ? {}
                : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
              ...options.headers,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('error', reject);
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              let body: unknown;
              try {
                body = text ? JSON.parse(text) : undefined;
              } catch {
                body = text;
              }
              resolve({ status: res.statusCode ?? 0, body });
            });
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
    },
    close: () => agent.destroy(),
  };
}
