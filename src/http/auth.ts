import { createSecretKey } from 'node:crypto';
import type { RequestHandler } from 'express';
import jwt from 'jsonwebtoken';
import { DomainError } from '../domain/errors';
import type { Principal, Role } from '../domain/principal';

/** A user id as it is stored and shown: 1–200 characters, no control characters (a NUL cannot be stored in Postgres text). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it rejects
const SUBJECT = /^[^\u0000-\u001f\u007f]{1,200}$/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
export const hasLoneSurrogate = (value: string) => LONE_SURROGATE.test(value);

/** Verifies `Authorization: Bearer <HS256 JWT>` and puts `{ userId, role }` on the request. */
export function authenticate(secret: string): RequestHandler {
  // A string secret makes jsonwebtoken try (and fail) to parse it as a PEM public key on every request before it
  // falls back to an HMAC key: an exception per request that cost more than the rest of auth together.
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  return (req, _res, next) => {
    const header = req.headers.authorization;
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    if (!match) return next(new DomainError('unauthorized', 'Missing bearer token'));
    try {
      const claims = jwt.verify(match[1], key, { algorithms: ['HS256'] });
      if (
        typeof claims !== 'object' ||
        typeof claims.sub !== 'string' ||
        !SUBJECT.test(claims.sub) ||
        hasLoneSurrogate(claims.sub)
      ) {
        return next(new DomainError('unauthorized', 'Token has no usable subject'));
      }
      // A token that never expires cannot be taken back: every token must say when it ends.
      if (typeof claims.exp !== 'number') return next(new DomainError('unauthorized', 'Token has no expiry (exp)'));
      const role = claims.role ?? 'shopper';
      if (role !== 'shopper' && role !== 'ops' && role !== 'admin') {
        return next(new DomainError('unauthorized', 'Token has an unknown role'));
      }
      req.principal = { userId: claims.sub, role };
      next();
    } catch {
      next(new DomainError('unauthorized', 'Invalid or expired token'));
    }
  };
}

const RANK: Record<Role, number> = { shopper: 0, ops: 1, admin: 2 };

/** Admin may do all that ops may. */
export function requireRole(role: Role): RequestHandler {
  return (req, _res, next) => {
    const principal = req.principal;
    if (!principal) return next(new DomainError('unauthorized', 'Missing bearer token'));
    if (RANK[principal.role] < RANK[role]) return next(new DomainError('forbidden', `Requires the ${role} role`));
    next();
  };
}

export function principalOf(req: { principal?: Principal }): Principal {
  if (!req.principal) throw new DomainError('unauthorized', 'Missing bearer token');
  return req.principal;
}
