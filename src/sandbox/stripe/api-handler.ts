import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate } from './api-key';
import { matchRoute } from './api-routes';
import { DEFAULT_API_VERSION, assertSupportedInVersion } from './api-versions';
import type { FaultInjector } from './faults';
import { FormSyntaxError, parseStripeForm } from './form-body';
import { BodyTooLargeError, readBody, sendJson, sleep } from './http-io';
import type { IdempotencyStore, SavedResponse } from './idempotency';
import { newStripeId, type SandboxState } from './sandbox-state';
import { StripeApiError, internalError, invalidParam } from './stripe-error';

export interface ApiContext {
  state: SandboxState;
  idempotency: IdempotencyStore;
  faults: FaultInjector;
  latencyMs(): number;
}

/**
 * One request to the Stripe API surface: authenticate, apply any armed fault, pass the idempotency layer,
 * then run the operation. The configured latency is spent once per request; for an idempotent write it is
 * spent while the key is held, so it stands for Stripe's processing time and concurrent duplicates overlap it.
 */
export async function handleApiRequest(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  ctx.state.stats.requests += 1;
  const method = req.method ?? 'GET';
  const requestId = newStripeId('req');
  const apiVersion = header(req, 'stripe-version') ?? DEFAULT_API_VERSION;
  const idempotencyKey = method === 'POST' ? header(req, 'idempotency-key') : undefined;
  const headers: Record<string, string> = {
    'Request-Id': requestId,
    'Stripe-Version': apiVersion,
    ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
  };
  let waited = false;
  const wait = async () => {
    if (!waited) {
      waited = true;
      await sleep(ctx.latencyMs());
    }
  };

  let answer: Answer;
  try {
    const body = await readBody(req);
    const apiKey = authenticate(header(req, 'authorization'));
    const fault = ctx.faults.take(method, url.pathname);
    // A hung request holds its socket until the client gives up or the sandbox stops.
    if (fault?.kind === 'hang') return;
    if (fault && !fault.afterCommit) {
      answer = { response: faultResponse(fault.status) };
    } else {
      answer = await answerRequest(ctx, { method, url, body, apiKey, apiVersion, idempotencyKey, requestId, wait });
      // afterCommit: whatever happened (a new object, or a replay of the saved one) this caller only sees a failure.
      if (fault) answer = { response: faultResponse(fault.status) };
    }
  } catch (error) {
    answer = { response: errorResponse(asStripeError(error)) };
  }
  await wait();
  sendJson(res, answer.response.status, answer.response.body, { ...headers, ...answer.headers });
}

interface Answer {
  response: SavedResponse;
  headers?: Record<string, string>;
}

interface ApiRequest {
  method: string;
  url: URL;
  body: string;
  apiKey: string;
  apiVersion: string;
  idempotencyKey: string | undefined;
  requestId: string;
  wait(): Promise<void>;
}

async function answerRequest(ctx: ApiContext, request: ApiRequest): Promise<Answer> {
  const { method, url } = request;
  const route = matchRoute(method, url.pathname);
  const params = parseStripeForm(method === 'POST' ? request.body : url.search.slice(1));
  assertSupportedInVersion(request.apiVersion, url.pathname, params);
  let finish: ((response: SavedResponse, replayable: boolean) => void) | undefined;
  if (request.idempotencyKey) {
    const decision = ctx.idempotency.begin({
      apiKey: request.apiKey,
      key: request.idempotencyKey,
      endpoint: `${method} ${url.pathname}`,
      params,
      requestId: request.requestId,
    });
    if (decision.kind === 'reject') {
      const retry = decision.error.status === 409 ? { 'Stripe-Should-Retry': 'true' } : undefined;
      return { response: errorResponse(decision.error), headers: retry };
    }
    if (decision.kind === 'replay') {
      return {
        response: decision.response,
        headers: { 'Idempotent-Replayed': 'true', 'Original-Request': decision.originalRequestId },
      };
    }
    finish = decision.finish;
  }
  await request.wait();
  const { response, replayable } = run(() => route.run(ctx.state, params));
  finish?.(response, replayable);
  return { response };
}

function run(operation: () => unknown): { response: SavedResponse; replayable: boolean } {
  try {
    return { response: { status: 200, body: JSON.stringify(operation()) }, replayable: true };
  } catch (error) {
    const failure = asStripeError(error);
    return { response: errorResponse(failure), replayable: failure.replayable };
  }
}

const errorResponse = (error: StripeApiError): SavedResponse => ({
  status: error.status,
  body: JSON.stringify({ error: error.body }),
});

function asStripeError(error: unknown): StripeApiError {
  if (error instanceof StripeApiError) return error;
  if (error instanceof FormSyntaxError) return invalidParam(error.message, { param: error.key });
  if (error instanceof BodyTooLargeError) return invalidParam(error.message);
  return internalError(`Sandbox error: ${error instanceof Error ? error.message : String(error)}`);
}

function faultResponse(status: 500 | 503 | 429): SavedResponse {
  const error =
    status === 429
      ? {
          type: 'invalid_request_error',
          code: 'rate_limit',
          message: 'Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.',
        }
      : { type: 'api_error', message: `An unknown error occurred (injected sandbox fault ${status}).` };
  return { status, body: JSON.stringify({ error }) };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
