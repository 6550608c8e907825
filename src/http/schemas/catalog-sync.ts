import { z } from 'zod';
import { pagination, slug } from './common';

export const CATALOG_CHANGE_KINDS = [
  'added',
  'price_changed',
  'became_unavailable',
  'became_available',
  'details_changed',
  'delisted',
  'relisted',
] as const;

export const CatalogSyncListQuery = pagination.extend({ store: slug.optional() });

export const CatalogChangeListQuery = pagination.extend({
  store: slug.optional(),
  kind: z.enum(CATALOG_CHANGE_KINDS).optional(),
  run: z.coerce.number().int().min(1).optional().meta({ description: 'Only the changes of this run (its runId)' }),
});

export const CatalogSyncRun = z
  .object({
    runId: z.number().int(),
    storeSlug: z.string(),
    storeName: z.string(),
    status: z.enum(['running', 'succeeded', 'failed']),
    trigger: z.enum(['schedule', 'manual']),
    requestedBy: z.string().nullable(),
    pagesRead: z.number().int(),
    productsSeen: z.number().int(),
    changes: z.object({
      added: z.number().int(),
      priceChanged: z.number().int(),
      availabilityChanged: z.number().int(),
      detailsChanged: z.number().int(),
      delisted: z
        .number()
        .int()
        .meta({ description: 'No longer listed by the retailer: now unavailable (never deleted)' }),
    }),
    retries: z.number().int().meta({ description: 'Pages read again after a transient failure within this run' }),
    error: z.string().nullable(),
    errorTransient: z.boolean().nullable(),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'CatalogSyncRun' });

export const CatalogChange = z
  .object({
    changeId: z.number().int(),
    runId: z.number().int(),
    storeSlug: z.string(),
    storeName: z.string(),
    currency: z.string(),
    productId: z.uuid(),
    sku: z.string(),
    name: z.string(),
    kind: z.enum(CATALOG_CHANGE_KINDS),
    oldPriceCents: z.number().int().nullable(),
    newPriceCents: z.number().int().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'CatalogChange' });
