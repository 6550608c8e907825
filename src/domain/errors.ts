/**
 * The domain error taxonomy. Codes are the stable, machine-readable identifiers of the public contract;
 * HTTP statuses are chosen in one place (src/http/error-handler.ts), never here.
 */
export type ErrorCode =
  | 'validation_failed'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'product_not_found'
  | 'product_unavailable'
  | 'store_not_found'
  | 'store_exists'
  | 'cart_empty'
  | 'mixed_currencies'
  | 'session_incomplete'
  | 'session_expired'
  | 'session_not_editable'
  | 'session_already_placed'
  | 'payment_declined'
  | 'payment_requires_action'
  | 'payment_refused'
  | 'cart_limit_exceeded'
  | 'amount_too_large'
  | 'amount_too_small'
  | 'rate_limited'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'payment_already_completed'
  | 'idempotency_key_reused'
  | 'request_in_progress'
  | 'invalid_transition'
  | 'conflict'
  | 'refund_exceeds_captured'
  | 'payment_not_captured'
  | 'invalid_signature'
  | 'task_not_open'
  | 'catalog_not_readable'
  | 'catalog_sync_failed'
  | 'store_already_paused'
  | 'store_not_paused'
  | 'method_not_configured'
  | 'promo_code_invalid'
  | 'promo_code_expired'
  | 'promo_code_not_started'
  | 'promo_code_not_eligible'
  | 'promo_code_exhausted'
  | 'promo_code_limit_reached'
  | 'promotion_exists'
  | 'promotion_not_found'
  | 'shipping_option_unknown'
  | 'shipping_not_quotable'
  | 'service_unavailable';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/**
 * An outside party we depend on (the payment provider) could not be reached, or failed: nothing happened or the
 * outcome is unknown, and the same request with the same Idempotency-Key may be retried. Adapters throw a subclass
 * at their boundary; `message` keeps their detail for logs and records, `publicMessage` is what a client is told.
 */
export class DependencyUnavailableError extends Error {
  readonly code: ErrorCode = 'service_unavailable';

  constructor(
    message: string,
    readonly publicMessage: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'DependencyUnavailableError';
  }
}

export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);

export function validationFailed(fields: Record<string, string>, message = 'Request validation failed'): DomainError {
  return new DomainError('validation_failed', message, { fields });
}
