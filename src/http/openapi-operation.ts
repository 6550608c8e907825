import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';

/** What one documented route says about itself; the area files (openapi-*.ts) add theirs through `AddOperation`. */
export type Method = RouteConfig['method'];

export interface Operation {
  summary: string;
  tags: string[];
  body?: z.ZodType;
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** The success answer's `data`: required, so no operation can leave its answer undocumented. */
  response: z.ZodType;
  /** A paged list: `response` is one item, and `meta` carries this total beside the page. */
  pageTotal?: string;
  /** The success status (200 when absent), or several with what each means, e.g. an upsert's 201 and 200. */
  status?: number | Record<number, string>;
  errors?: Record<number, string>;
  idempotent?: boolean;
  auth?: 'bearer' | 'none' | 'signature';
}

export type AddOperation = (method: Method, path: string, op: Operation) => void;

/** A rate limit (per shopper on payments, per address without a token): wait the Retry-After seconds. */
export const RATE_LIMITED = 'rate_limited (Retry-After header; details.retryAfterSeconds)';
