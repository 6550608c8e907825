import type { ErrorCode } from '../domain/errors';

/** The one place where domain error codes become HTTP statuses. */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthorized: 401,
  invalid_signature: 401,
  payment_declined: 402,
  payment_requires_action: 402,
  forbidden: 403,
  not_found: 404,
  product_not_found: 404,
  store_not_found: 404,
  product_unavailable: 409,
  store_exists: 409,
  session_not_editable: 409,
  session_already_placed: 409,
  payment_already_completed: 409,
  request_in_progress: 409,
  invalid_transition: 409,
  conflict: 409,
  task_not_open: 409,
  payment_not_captured: 409,
  session_expired: 410,
  cart_empty: 422,
  mixed_currencies: 422,
  session_incomplete: 422,
  idempotency_key_reused: 422,
  refund_exceeds_captured: 422,
  service_unavailable: 503,
  catalog_not_readable: 422,
  // The retailer could not be read: the gateway's upstream failed, not the request.
  catalog_sync_failed: 502,
};
