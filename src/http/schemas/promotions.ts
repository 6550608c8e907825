import { z } from 'zod';
import { FLAT_RULE_OPTION_ID } from '../../domain/cart-snapshot';
import { cents } from './common';

const limit = z.number().int('must be a whole number').min(1, 'must be at least 1').max(1_000_000);
const when = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2026-12-31T23:59:59Z' });
const promoCode = z
  .string()
  .trim()
  .transform((value) => value.toUpperCase())
  .pipe(z.string().regex(/^[A-Z0-9][A-Z0-9_-]{1,39}$/, 'must be 2–40 letters, digits, dashes or underscores'));

/** The conditions of a code, changeable after it is created. */
const conditions = {
  minSubtotalCents: cents.optional(),
  firstOrderOnly: z.boolean().optional(),
  perCustomerLimit: limit.nullable().optional(),
  totalLimit: limit.nullable().optional(),
  startsAt: when.nullable().optional(),
  endsAt: when.nullable().optional(),
  active: z.boolean().optional(),
  description: z.string().trim().max(300).nullable().optional(),
};

export const CreatePromotionInput = z
  .object({
    code: promoCode,
    kind: z.enum(['fixed_amount', 'percent', 'free_shipping']),
    amountCents: cents.min(1, 'must be at least 1 cent').optional(),
    percentOff: z.number().int('must be a whole percent').min(1).max(100).optional(),
    ...conditions,
  })
  .strict()
  .superRefine((input, ctx) => {
    if (input.kind === 'fixed_amount' && input.amountCents === undefined)
      ctx.addIssue({ code: 'custom', path: ['amountCents'], message: 'a fixed_amount code needs amountCents' });
    if (input.kind !== 'fixed_amount' && input.amountCents !== undefined)
      ctx.addIssue({ code: 'custom', path: ['amountCents'], message: `a ${input.kind} code takes no amountCents` });
    if (input.kind === 'percent' && input.percentOff === undefined)
      ctx.addIssue({ code: 'custom', path: ['percentOff'], message: 'a percent code needs percentOff' });
    if (input.kind !== 'percent' && input.percentOff !== undefined)
      ctx.addIssue({ code: 'custom', path: ['percentOff'], message: `a ${input.kind} code takes no percentOff` });
    if (input.startsAt && input.endsAt && input.endsAt <= input.startsAt)
      ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after startsAt' });
  })
  .meta({
    id: 'CreatePromotionInput',
    description:
      'fixed_amount: amountCents off the cart; percent: percentOff % of the cart subtotal; free_shipping: every store ships free',
  });

export const UpdatePromotionInput = z.object(conditions).strict().meta({
  id: 'UpdatePromotionInput',
  description: 'The conditions of a code; its kind and amount are fixed once created (sessions have frozen them)',
});

export const PromotionCodeParam = z.object({ code: promoCode });

export const PromoCodeInput = z
  .object({ code: z.string().trim().min(1, 'code is required').max(40) })
  .strict()
  .meta({ id: 'PromoCodeInput' });

/** What a code gives, as a shopper sees it on the cart. */
export const PromotionTerms = z
  .object({
    code: z.string().meta({ example: 'SAVE10' }),
    kind: z.enum(['fixed_amount', 'percent', 'free_shipping']),
    amountCents: z.number().int().nullable(),
    percentOff: z.number().int().nullable(),
    minSubtotalCents: z.number().int(),
    description: z.string().nullable(),
  })
  .meta({ id: 'PromotionTerms' });

export const Promotion = PromotionTerms.extend({
  firstOrderOnly: z.boolean(),
  perCustomerLimit: z.number().int().nullable(),
  totalLimit: z.number().int().nullable(),
  startsAt: z.iso.datetime().nullable(),
  endsAt: z.iso.datetime().nullable(),
  active: z.boolean(),
  uses: z.number().int().meta({ description: 'Uses redeemed by paid checkouts or held by checkouts being paid' }),
  redeemed: z.number().int().meta({ description: 'Uses redeemed by paid checkouts' }),
}).meta({ id: 'Promotion' });

export const ShippingChoicesInput = z
  .object({
    choices: z
      .array(
        z
          .object({
            storeId: z.uuid('must be a store id of this checkout'),
            optionId: z.string().trim().min(1).max(60),
          })
          .strict(),
      )
      .min(1)
      .max(50)
      .refine(
        (choices) => new Set(choices.map((choice) => choice.storeId)).size === choices.length,
        'one choice per store',
      ),
  })
  .strict()
  .meta({
    id: 'ShippingChoicesInput',
    description: 'One option per store, from the store’s shippingOptions in the session; stores not named keep theirs',
  });

const ShippingOptionsSourceSchema = z.enum(['store', 'retailer']).meta({
  description:
    'store: these options (or the flat rule). retailer: what the retailer quotes for each checkout once its address is known, these options standing in when it cannot answer in time',
});

const StoreShippingOptionInput = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,59}$/, 'must be lower-case letters, digits, dashes or underscores')
      .refine(
        (id) => id !== FLAT_RULE_OPTION_ID,
        `"${FLAT_RULE_OPTION_ID}" is the flat rule's option; name yours otherwise (e.g. ground)`,
      ),
    name: z.string().trim().min(1).max(100),
    priceCents: cents,
    freeAboveCents: cents.nullable().optional(),
    minDays: z.number().int().min(0).max(365).nullable().optional(),
    maxDays: z.number().int().min(0).max(365).nullable().optional(),
  })
  .strict()
  .refine((option) => option.minDays == null || option.maxDays == null || option.maxDays >= option.minDays, {
    path: ['maxDays'],
    message: 'must be at least minDays',
  })
  .refine((option) => (option.minDays == null) === (option.maxDays == null), {
    path: ['maxDays'],
    message: 'give minDays and maxDays together',
  });

export const StoreShippingOptionsInput = z
  .object({
    options: z
      .array(StoreShippingOptionInput)
      .max(10)
      .refine(
        (options) => new Set(options.map((option) => option.id)).size === options.length,
        'option ids must be unique',
      ),
    source: ShippingOptionsSourceSchema.optional().meta({
      description: 'Where checkouts take the options from (default store)',
    }),
  })
  .strict()
  .meta({
    id: 'StoreShippingOptionsInput',
    description: 'An empty list goes back to one standard option from the store’s flat shipping rule',
  });

export const StoreShippingOptions = z
  .object({
    storeSlug: z.string(),
    options: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        priceCents: z.number().int(),
        freeAboveCents: z.number().int().nullable(),
        minDays: z.number().int().nullable(),
        maxDays: z.number().int().nullable(),
      }),
    ),
    usesFlatRule: z.boolean().meta({
      description: 'true: the store has no options of its own; checkouts offer one standard option from its flat rule',
    }),
    source: ShippingOptionsSourceSchema,
  })
  .meta({ id: 'StoreShippingOptions' });
