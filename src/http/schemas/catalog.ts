import { z } from 'zod';
import { cents, slug } from './common';

const placementMethod = z.enum(['api', 'headless', 'manual']);

export const StoreShippingInput = z
  .object({ flatCents: cents, freeAboveCents: cents.optional() })
  .meta({ description: 'Flat fee per store order; free when the store subtotal is at or above freeAboveCents.' });

export const CreateStoreInput = z
  .object({
    slug,
    name: z.string().trim().min(1).max(200),
    placementMethod,
    placementConfig: z.record(z.string(), z.unknown()).optional(),
    webhookSecret: z.string().min(16, 'must be at least 16 characters').max(200).optional(),
    fallbackMethod: z.enum(['headless', 'manual']).optional(),
    shipping: StoreShippingInput.optional(),
    priceToleranceCents: cents.optional(),
    currency: z
      .string()
      .regex(/^[a-z]{3}$/, 'must be a lower-case ISO 4217 code')
      .optional(),
  })
  .strict()
  .meta({ id: 'CreateStoreInput' });

export const UpdateStoreInput = CreateStoreInput.omit({ slug: true })
  .partial()
  .extend({ fallbackMethod: z.enum(['headless', 'manual']).nullable().optional() })
  .strict()
  .meta({ id: 'UpdateStoreInput' });

export const UpsertProductInput = z
  .object({
    storeSlug: slug,
    sku: z.string().trim().min(1).max(100),
    name: z.string().trim().min(1).max(300),
    priceCents: cents,
    productUrl: z.url().max(2000).optional(),
    imageUrl: z.url().max(2000).optional(),
    available: z.boolean().optional(),
  })
  .strict()
  .meta({ id: 'UpsertProductInput' });

export const Store = z
  .object({
    storeId: z.uuid(),
    slug: z.string(),
    name: z.string(),
    placementMethod,
    fallbackMethod: z.enum(['headless', 'manual']).nullable(),
    currency: z.string(),
    shipping: z.object({ flatCents: z.number().int(), freeAboveCents: z.number().int().nullable() }),
    priceToleranceCents: z.number().int(),
  })
  .meta({ id: 'Store' });

export const Product = z
  .object({
    productId: z.uuid(),
    storeId: z.uuid(),
    storeSlug: z.string(),
    sku: z.string(),
    name: z.string(),
    priceCents: z.number().int(),
    productUrl: z.string().nullable(),
    imageUrl: z.string().nullable(),
    available: z.boolean(),
  })
  .meta({ id: 'Product' });

/** What admins get back: whether secrets are set, never the secrets themselves. */
export const AdminStore = Store.extend({
  placementConfigKeys: z
    .array(z.string())
    .meta({ description: 'The names of the placementConfig settings, without their values' }),
  hasWebhookSecret: z.boolean(),
}).meta({ id: 'AdminStore' });

export const StoreCheckResult = z
  .object({
    checks: z.array(
      z.object({
        name: z.string().meta({
          description:
            'What was tried: config, platform, reach, authenticate, payment_method, shipping_method, price (api); config, browser, signIn, firstPage (headless); manual; fallback.* for the fallback method',
        }),
        ok: z.boolean(),
        message: z.string().meta({ description: 'What works, or what does not and why, in words' }),
      }),
    ),
  })
  .meta({ id: 'StoreCheckResult' });
