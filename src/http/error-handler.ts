import type { ErrorRequestHandler, RequestHandler } from 'express';
import { DependencyUnavailableError, DomainError } from '../domain/errors';
import { STATUS_BY_CODE } from './error-status';

interface ErrorBody {
  success: false;
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export interface MappedError {
  status: number;
  body: ErrorBody;
}

/** Turns anything thrown into the contract's error JSON. Unknown errors become an opaque 500. */
export function mapError(error: unknown): MappedError {
  if (error instanceof DomainError) {
    return body(STATUS_BY_CODE[error.code], error.code, error.message, error.details);
  }
  if (error instanceof DependencyUnavailableError) {
    return body(STATUS_BY_CODE[error.code], error.code, error.publicMessage);
  }
  const bodyParserType = (error as { type?: string }).type;
  if (bodyParserType === 'entity.parse.failed') {
    return body(400, 'validation_failed', 'Request body is not valid JSON', { fields: { body: 'invalid JSON' } });
  }
  if (bodyParserType === 'entity.too.large') {
    return body(413, 'payload_too_large', 'Request body is too large');
  }
  if (bodyParserType === 'encoding.unsupported' || bodyParserType === 'charset.unsupported') {
    return body(415, 'unsupported_media_type', 'Unsupported body encoding');
  }
  const clientError = asClientError(error);
  if (clientError) return clientError;
  const pgCode = (error as { code?: unknown }).code;
  if (pgCode === '23505') return body(409, 'conflict', 'The resource was changed by another request; retry');
  if (pgCode === '40001' || pgCode === '40P01') return body(409, 'conflict', 'Concurrent update; retry the request');
  // Input the schemas should have refused; never a 500 if one slips through: too long, out of range, not storable text.
  if (pgCode === '22001' || pgCode === '22003' || pgCode === '22P05' || pgCode === '22021') {
    return body(400, 'validation_failed', 'A value is too long, too large or not valid text', {
      fields: { body: 'a value is out of range' },
    });
  }
  return body(500, 'internal_error', 'Something went wrong on our side');
}

/**
 * Errors Express and body-parser raise for a request they could not read (a corrupt gzip or brotli body, an upload
 * the client aborted, a malformed path): http-errors with a 4xx status and a message meant for the client.
 */
function asClientError(error: unknown): MappedError | null {
  const { status, statusCode, expose, message } = error as {
    status?: unknown;
    statusCode?: unknown;
    expose?: unknown;
    message?: unknown;
  };
  const code = typeof status === 'number' ? status : statusCode;
  if (typeof code !== 'number' || code < 400 || code >= 500 || expose !== true) return null;
  if (code === 413) return body(413, 'payload_too_large', 'Request body is too large');
  if (code === 415) return body(415, 'unsupported_media_type', 'Unsupported body encoding');
  const what = typeof message === 'string' && message.length < 200 ? message : 'unreadable request';
  return body(400, 'validation_failed', 'The request could not be read', { fields: { body: what } });
}

function body(status: number, code: string, message: string, details?: Record<string, unknown>): MappedError {
  return { status, body: { success: false, error: details ? { code, message, details } : { code, message } } };
}

export const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const mapped = mapError(error);
  if (mapped.status >= 500) req.log?.error({ err: error, requestId: req.id }, 'request failed');
  if (res.headersSent) return;
  res.status(mapped.status).json(mapped.body);
};

export const notFoundHandler: RequestHandler = (req, res) => {
  res
    .status(404)
    .json({ success: false, error: { code: 'not_found', message: `No route for ${req.method} ${req.path}` } });
};
