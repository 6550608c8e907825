import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../logger';
import type { AppMetrics } from './metrics';

const GIVEN_ID = /^[\w.-]{1,100}$/;
const QUIET_PATHS = new Set(['/healthz', '/metrics']);

/**
 * Gives every request an id (the caller's X-Request-Id when it is sane, else a UUID, echoed in the answer), a logger
 * that stamps it on every line (`req.log`), and, once the answer is sent, one access-log line (info for 2xx/3xx,
 * warn for 4xx, error for 5xx) and one latency observation. A single 'finish' listener does both. This replaced
 * pino-http, which serialized and bound the request to a child logger on every request whatever the log level:
 * about 5 % of the API's CPU at 400 requests/s.
 */
export function observeRequests(logger: Logger, metrics: AppMetrics): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && GIVEN_ID.test(given) ? given : randomUUID();
    req.id = id;
    req.log = logger.child({ requestId: id });
    res.setHeader('X-Request-Id', id);
    res.on('finish', () => {
      const seconds = (performance.now() - started) / 1000;
      // The route pattern, not the raw path, keeps label cardinality bounded.
      const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched';
      const status = res.statusCode;
      metrics.httpDuration.observe({ method: req.method, route, status: String(status) }, seconds);
      if (QUIET_PATHS.has(req.path)) return;
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      if (!req.log.isLevelEnabled(level)) return;
      req.log[level](
        { method: req.method, url: req.originalUrl, route, status, ms: Math.round(seconds * 1000) },
        'request completed',
      );
    });
    next();
  };
}
