import { PermanentPlacementError, PriceMismatchError, TransientPlacementError } from '../placement-adapter';
import { TemplateError } from './template';

/**
 * A transient placement failure that carries details (the step, the URL, the failure artifacts), which the
 * contract's `TransientPlacementError` has no field for. Still an `instanceof TransientPlacementError`, so the
 * queue retries it like any other.
 */
export class HeadlessTransientError extends TransientPlacementError {
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
    retryAfterMs?: number,
    cause?: unknown,
  ) {
    super(message, retryAfterMs, cause);
    this.name = 'HeadlessTransientError';
  }
}

export type PlacementFailure = PermanentPlacementError | HeadlessTransientError;

export const flowBroken = (message: string, details: Record<string, unknown> = {}) =>
  new PermanentPlacementError('flow_broken', message, details);

/**
 * Every failure as one of the two placement errors, with `details` merged in. The rule: what the retailer or
 * the recipe said no to is permanent; anything else — timeouts, 5xx, a dropped connection, a crashed or
 * disconnected browser, an unexpected Puppeteer error — is worth another try.
 */
export function toPlacementFailure(error: unknown, details: Record<string, unknown>): PlacementFailure {
  if (error instanceof PriceMismatchError) {
    return new PriceMismatchError(error.retailerTotalCents, error.expectedTotalCents, { ...error.details, ...details });
  }
  if (error instanceof PermanentPlacementError)
    return new PermanentPlacementError(error.code, error.message, { ...error.details, ...details });
  if (error instanceof HeadlessTransientError) {
    return new HeadlessTransientError(error.message, { ...error.details, ...details }, error.retryAfterMs, error.cause);
  }
  if (error instanceof TransientPlacementError)
    return new HeadlessTransientError(error.message, details, error.retryAfterMs, error.cause ?? error);
  if (error instanceof TemplateError)
    return new PermanentPlacementError('config_invalid', `recipe template: ${error.message}`, details);
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  // The browser's own verdict on a CSS selector: retrying the same recipe cannot fix it.
  if (/is not a valid selector/.test(message))
    return new PermanentPlacementError('config_invalid', `recipe selector: ${message}`, details);
  return new HeadlessTransientError(message, details, undefined, error);
}
