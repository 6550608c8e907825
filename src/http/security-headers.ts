import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { DomainError } from '../domain/errors';
import type { HttpSettings } from './http-settings';

/**
 * helmet's headers on every answer: `nosniff`, framing denied (X-Frame-Options and CSP frame-ancestors), no
 * referrer, a strict content policy (the ops dashboard sets its own, stricter one). HSTS only when configured:
 * browsers remember it, so it is sent only where clients really reach the API over TLS.
 */
export function securityHeaders(settings: Pick<HttpSettings, 'hstsMaxAgeSeconds'>): RequestHandler {
  return helmet({
    frameguard: { action: 'deny' },
    contentSecurityPolicy: { directives: { 'frame-ancestors': ["'none'"] } },
    strictTransportSecurity:
      settings.hstsMaxAgeSeconds > 0 ? { maxAge: settings.hstsMaxAgeSeconds, includeSubDomains: true } : false,
  });
}

/** API answers are one user's data at one moment: no browser or proxy may keep them. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/** /metrics as configured: open, closed (as if it did not exist) or behind a bearer token. */
export function metricsAccess(settings: Pick<HttpSettings, 'metrics'>): RequestHandler {
  const access = settings.metrics;
  return (req, _res, next) => {
    if (access.access === 'open') return next();
    if (access.access === 'closed') return next(new DomainError('not_found', `No route for ${req.method} ${req.path}`));
    if (req.get('Authorization') === `Bearer ${access.token}`) return next();
    next(new DomainError('unauthorized', 'The metrics need their bearer token'));
  };
}
