import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { DomainError, validationFailed } from '../domain/errors';
import type { IdempotencyService } from '../services/idempotency-service';
import { principalOf } from './auth';

/**
 * Refusals that are answers to something done: the payment provider was asked and declined, wanted 3-D Secure,
 * or refused the amount (a failed attempt is in the ledger). They are saved and replayed, like every success.
 */
const OUTCOME_CODES: ReadonlySet<string> = new Set(['payment_declined', 'payment_requires_action', 'payment_refused']);

/**
 * Whether an answer is saved for replay. As Stripe does (https://docs.stripe.com/api/idempotent_requests), only
 * answers to requests that did something: a 5xx did not finish, and a 4xx from validation or a precondition
 * (no address yet, a session expired, a rate limit) did nothing, so the client may fix it and retry with the key.
 */
const isSaved = (status: number, code: string | undefined) =>
  status < 400 || (status < 500 && code !== undefined && OUTCOME_CODES.has(code));

/**
 * Wraps a money-moving route with the contract's Idempotency-Key semantics. Keys are scoped per user; the
 * request fingerprint is method, path and body. Saved: successes, and refusals that record an outcome (isSaved).
 */
export function idempotent(service: IdempotencyService): RequestHandler {
  return async (req, res, next) => {
    const key = req.get('Idempotency-Key');
    // A missing key is a missing required field, answered like every other (the contract's validation_failed).
    if (key === undefined) return next(validationFailed({ 'Idempotency-Key': 'required: this request moves money' }));
    if (key.length < 1 || key.length > 255)
      return next(validationFailed({ 'Idempotency-Key': 'must be 1–255 characters' }));
    const scope = principalOf(req).userId;
    const fingerprint = createHash('sha256')
      .update(`${req.method} ${req.baseUrl}${req.path}\n${JSON.stringify(req.body ?? null)}`)
      .digest('hex');

    const claim = await service.claim(scope, key, fingerprint);
    if (claim.kind === 'mismatch') {
      return next(new DomainError('idempotency_key_reused', 'This Idempotency-Key was used with a different request'));
    }
    if (claim.kind === 'in_progress') {
      return next(new DomainError('request_in_progress', 'A request with this Idempotency-Key is still running'));
    }
    if (claim.kind === 'replay') {
      res.set('Idempotent-Replayed', 'true').status(claim.status).json(claim.body);
      return;
    }

    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      const status = res.statusCode;
      const code = (body as { error?: { code?: string } })?.error?.code;
      const save = isSaved(status, code) ? service.complete(scope, key, status, body) : service.release(scope, key);
      // The answer is sent only once its record is durable: a client that saw it can rely on the replay.
      save.then(
        () => json(body),
        (error) => {
          req.log?.error({ err: error }, 'could not record the idempotent response');
          json(body);
        },
      );
      return res;
    };
    next();
  };
}
