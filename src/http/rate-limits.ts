import type { RequestHandler } from 'express';
import { rateLimit, type Options, type Store } from 'express-rate-limit';
import type { Redis } from 'ioredis';
import { RedisStore } from 'rate-limit-redis';
import { DomainError } from '../domain/errors';
import type { Logger } from '../logger';
import type { RateLimitSettings } from './http-settings';

export interface RateLimits {
  /** Per shopper: placing and changing the payment method (card testing tries many cards quickly). */
  shopperPayments: RequestHandler;
  /** Per client IP: the routes that need no token, webhooks included. */
  anonymous: RequestHandler;
}

const passThrough: RequestHandler = (_req, _res, next) => next();

/**
 * express-rate-limit, counting in Redis when the service has one (rate-limit-redis), so a limit holds across every
 * API process; in memory otherwise (one process, the embedded default). A refusal is the contract's error, 429
 * `rate_limited` with `Retry-After`. When Redis cannot be reached the request goes through: limits protect the
 * service, they must not take checkout down with them.
 */
export function createRateLimits(
  settings: RateLimitSettings,
  logger: Logger,
  redis?: Redis,
  prefix = 'rate-limit:',
): RateLimits {
  const store = (name: string): Store | undefined =>
    redis
      ? new RedisStore({
          prefix: `${prefix}${name}:`,
          sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as Promise<number>,
        })
      : undefined;

  const limiter = (name: string, limit: number, what: string, options: Partial<Options>): RequestHandler => {
    if (limit <= 0) return passThrough;
    return rateLimit({
      windowMs: settings.windowMs,
      limit,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      store: store(name),
      passOnStoreError: true,
      // The package's own console warnings about configuration go to our logger instead.
      validate: { xForwardedForHeader: false },
      handler: (_req, res, next) => {
        const retryAfterSeconds = Number(res.getHeader('Retry-After')) || Math.ceil(settings.windowMs / 1000);
        next(
          new DomainError('rate_limited', `Too many ${what}; try again in ${retryAfterSeconds} s`, {
            retryAfterSeconds,
          }),
        );
      },
      ...options,
    });
  };

  logger.debug({ store: redis ? 'redis' : 'memory', ...settings }, 'rate limits');
  return {
    shopperPayments: limiter('shopper-payments', settings.shopperPaymentsPerWindow, 'payment attempts', {
      // Behind authenticate: the shopper, not the address, is the one trying cards.
      keyGenerator: (req) => `user:${req.principal?.userId ?? 'anonymous'}`,
    }),
    anonymous: limiter('anonymous', settings.anonymousPerWindow, 'requests from this address', {}),
  };
}
