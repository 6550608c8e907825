import { z } from 'zod';
import { SimulatorError } from './types';

const cents = z.int().min(0);

/** One line as the retailer order API receives it (orders and quotes alike). */
const orderItemSchema = z.object({
  sku: z.string().min(1).max(200),
  quantity: z.int().min(1).max(10_000),
  size: z.string().max(100).optional(),
  color: z.string().max(100).optional(),
  unitPriceCents: cents,
});

/** Missing address fields are the retailer's business (422 address_rejected), so only the shape is checked here. */
const shippingAddressSchema = z.record(z.string(), z.unknown());

export const createOrderBodySchema = z.object({
  externalReference: z.string().min(1).max(255),
  items: z.array(orderItemSchema).min(1).max(500),
  shippingAddress: shippingAddressSchema,
  shippingMethod: z.string().min(1).max(100).optional(),
  expectedTotalCents: cents,
});
export type CreateOrderBody = z.infer<typeof createOrderBodySchema>;

export const quoteBodySchema = z.object({
  items: z.array(orderItemSchema).min(1).max(500),
  shippingAddress: shippingAddressSchema,
  shippingMethod: z.string().min(1).max(100).optional(),
});
export type QuoteBody = z.infer<typeof quoteBodySchema>;

export const retailerSlugSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes');

export const retailerSetupSchema = z.object({
  apiKey: z.string().min(1),
  catalog: z
    .record(
      z.string().min(1),
      z.object({
        priceCents: cents,
        stock: cents.optional(),
        name: z.string().min(1).max(300).optional(),
        imageUrl: z.url().optional(),
        productUrl: z.url().optional(),
      }),
    )
    .optional(),
  taxBasisPoints: z.int().min(0).max(10_000).optional(),
  shippingCents: cents.optional(),
  shippingMethods: z
    .array(
      z.object({
        id: z.string().min(1).max(100),
        name: z.string().min(1).max(200),
        priceCents: cents,
        minDays: z.int().min(0).max(365).optional(),
        maxDays: z.int().min(0).max(365).optional(),
      }),
    )
    .optional(),
  latencyMs: z.int().min(0).max(600_000).optional(),
  strictCatalog: z.boolean().optional(),
  rejectedZips: z.array(z.string()).optional(),
});

export const addRetailerBodySchema = retailerSetupSchema.extend({ slug: retailerSlugSchema });

export const latencyBodySchema = z.object({ latencyMs: z.int().min(0).max(600_000) });
export const stockBodySchema = z.object({ stock: cents });
export const priceBodySchema = z.object({ priceCents: cents });

/** `GET /products?limit=&cursor=`: the cursor is the last sku of the previous page (skus are listed in order). */
export const productPageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().min(1).max(200).optional(),
});

const faultCommon = {
  count: z.int().min(1).max(1_000_000).optional(),
  scope: z.enum(['create_order', 'list_products', 'quote', 'any']).optional(),
  after: z.int().min(0).max(1_000_000).optional(),
};

export const faultSpecSchema = z.discriminatedUnion('kind', [
  z.object({ ...faultCommon, kind: z.enum(['status_500', 'status_503', 'timeout', 'reset', 'create_then_500']) }),
  z.object({ ...faultCommon, kind: z.literal('status_429'), retryAfterSeconds: z.int().min(0).max(86_400).optional() }),
  z.object({
    ...faultCommon,
    kind: z.literal('reject'),
    code: z.enum(['out_of_stock', 'address_rejected', 'price_changed']),
    message: z.string().optional(),
  }),
]);

/** Parses or throws a `SimulatorError('invalid_request')` naming each bad field. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const field = issue.path.join('.') || '(body)';
    fields[field] ??= issue.message;
  }
  throw new SimulatorError('invalid_request', `invalid ${what}`, fields);
}
