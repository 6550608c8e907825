import { z } from 'zod';

export const cents = z.number().int('must be a whole number of cents').min(0, 'must be 0 or more').max(100_000_000);

export const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes (1–63 characters)');

export const uuidParam = z.uuid('must be a valid id');

export const pagination = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

/**
 * `X | null` for a schema with its own component: zod-to-openapi renders `X.nullable()` by marking the shared
 * component itself nullable, which would make every other use of X accept null too.
 */
/** The fields every line of goods shows, in a cart, a snapshot or an order. */
export const lineItemFields = {
  sku: z.string(),
  name: z.string(),
  size: z.string().nullable(),
  color: z.string().nullable(),
  quantity: z.number().int(),
  unitPriceCents: z.number().int(),
  totalPriceCents: z.number().int(),
};

/** Where a line's product can be seen, as the catalog had it. */
export const productLinkFields = { productUrl: z.string().nullable(), imageUrl: z.string().nullable() };

export const orNull = <T extends z.ZodType>(schema: T) => z.union([schema, z.null()]);

export function envelope<T extends z.ZodType>(data: T) {
  return z.object({ success: z.literal(true), data });
}

/** A page of a list: the items in `data`, and beside them in `meta` the total matching the filter (named `total`) and the window. */
export function pageEnvelope<T extends z.ZodType>(item: T, total: string) {
  return envelope(z.array(item)).extend({
    meta: z.object({
      [total]: z.number().int().min(0).meta({ description: 'How many match the filter, across all pages' }),
      limit: z.number().int(),
      offset: z.number().int(),
    }),
  });
}

export const ErrorResponse = z
  .object({
    success: z.literal(false),
    error: z.object({
      code: z.string().meta({ example: 'validation_failed' }),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ id: 'ErrorResponse' });
