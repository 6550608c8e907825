import { z } from 'zod';
import type { Clock } from '../../domain/clock';
import { HttpTransportError, type HttpReply, type HttpTransport } from '../http-transport';
import { PermanentPlacementError, TransientPlacementError, type PermanentPlacementCode } from '../placement-adapter';

/**
 * The retailer order API's wire (CONTRACT.md "The retailer order API"): one request at a time, with its answer
 * mapped to the placement error taxonomy. What to ask and when is the connector's (./mor-retailer-api.ts).
 */

const errorReplySchema = z.object({ code: z.string().optional(), message: z.string().optional() });

export type Step = 'lookup_orders' | 'quote' | 'create_order';

const RETAILER_REJECTION_CODES: ReadonlySet<string> = new Set<PermanentPlacementCode>([
  'out_of_stock',
  'address_rejected',
  'price_changed',
]);
/** Rate limits, 408 and 409 (a concurrent request with the same Idempotency-Key) say "not now", not "no". */
const TRANSIENT_CLIENT_STATUSES: ReadonlySet<number> = new Set([408, 409, 429]);

/** Where the retailer is and how we sign in: the parts of a store's placementConfig the wire needs. */
export interface RetailerEndpoint {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
}

/** `Retry-After` as milliseconds from now: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

export interface RetailerReply {
  step: Step;
  status: number;
  body: unknown;
}

export type RetailerCaller = (
  step: Step,
  method: string,
  path: string,
  body?: unknown,
  idempotencyKey?: string,
) => Promise<RetailerReply>;

/**
 * One request to the retailer, with the config's timeout (and the caller's signal), mapped to the placement error
 * taxonomy: 2xx comes back, anything else throws. The API key only ever goes into the Authorization header.
 */
export function createRetailerCaller(
  config: RetailerEndpoint,
  transport: HttpTransport,
  clock: Clock,
  signal?: AbortSignal,
): RetailerCaller {
  const baseUrl = config.baseUrl.replace(/\/+$/, '');

  return async (step, method, path, body, idempotencyKey) => {
    const headers: Record<string, string> = { authorization: `Bearer ${config.apiKey}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
    let reply: HttpReply;
    try {
      // Redirects are not followed: one means the baseUrl is wrong, and following it would replay a POST
      // somewhere we were not told to.
      reply = await transport({
        method,
        url: `${baseUrl}${path}`,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        timeoutMs: config.timeoutMs,
        signal,
      });
    } catch (error) {
      throw transportError(step, error);
    }
    if (reply.status >= 200 && reply.status < 300)
      return { step, status: reply.status, body: parseJsonOrUndefined(reply.text) };
    throw statusError(step, reply, clock);
  };
}

function transportError(step: Step, error: unknown): TransientPlacementError {
  if (!(error instanceof HttpTransportError))
    return new TransientPlacementError(`retailer ${step}: ${String(error)}`, undefined, error);
  const what = error.reason === 'connection' ? `connection failed (${error.code ?? error.message})` : error.message;
  return new TransientPlacementError(`retailer ${step}: ${what}`, undefined, error);
}

function statusError(step: Step, response: HttpReply, clock: Clock): Error {
  const { status } = response;
  const reply = errorReplySchema.safeParse(parseJsonOrUndefined(response.text));
  const retailerCode = reply.success ? reply.data.code : undefined;
  const retailerMessage = reply.success ? reply.data.message : undefined;
  const details = { step, httpStatus: status, retailerCode, retailerMessage };
  const summary = `retailer ${step} answered ${status}${retailerCode ? ` ${retailerCode}` : ''}`;

  if (status >= 500 || TRANSIENT_CLIENT_STATUSES.has(status)) {
    const retryAfterMs = parseRetryAfter(response.header('retry-after') ?? null, clock.now());
    return Object.assign(new TransientPlacementError(summary, retryAfterMs), { httpStatus: status });
  }
  if (status === 401 || status === 403) {
    return new PermanentPlacementError('config_invalid', `${summary}: check the store's apiKey`, details);
  }
  if (status === 422 && retailerCode && RETAILER_REJECTION_CODES.has(retailerCode)) {
    return new PermanentPlacementError(retailerCode as PermanentPlacementCode, retailerMessage ?? summary, details);
  }
  if (status >= 400 && status < 500)
    return new PermanentPlacementError('rejected', retailerMessage ?? summary, details);
  // 3xx (redirects are not followed) or anything stranger: the store's baseUrl does not point at the API.
  return new PermanentPlacementError('config_invalid', `${summary}: check the store's baseUrl`, details);
}

/** A create whose answer leaves open whether the retailer took the order (not a refusal, not "try later"). */
export function isAmbiguous(error: unknown): boolean {
  if (!(error instanceof TransientPlacementError)) return false;
  const { cause } = error;
  if (cause instanceof HttpTransportError && cause.reason === 'connection' && cause.code === 'ECONNREFUSED')
    return false;
  const status = (error as TransientPlacementError & { httpStatus?: number }).httpStatus;
  return status === undefined || status >= 500;
}

/** A 2xx whose body is not what the protocol promises (or not JSON): the outcome is unknown, so a retry's lookup decides. */
export function parseReply<T>(schema: z.ZodType<T>, reply: RetailerReply): T {
  const result = schema.safeParse(reply.body);
  if (result.success) return result.data;
  throw new TransientPlacementError(`retailer ${reply.step}: unexpected answer (${z.prettifyError(result.error)})`);
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
