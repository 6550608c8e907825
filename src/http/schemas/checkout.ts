import { z } from 'zod';
import { ORDER_STATUSES } from '../../domain/order-status';
import { SESSION_VIEW_STATUSES } from '../../domain/session-status';
import { US_STATE_CODES } from '../../domain/us-states';
import { lineItemFields, orNull, productLinkFields } from './common';

const required = (field: string) =>
  z
    .string({ error: `${field} is required` })
    .trim()
    .min(1, `${field} is required`);

export const ShippingAddressInput = z
  .object({
    name: required('name').max(100),
    address1: required('address1').max(200),
    address2: z.string().trim().max(200).optional(),
    city: required('city').max(100),
    state: required('state')
      .transform((value) => value.toUpperCase())
      .refine((value) => US_STATE_CODES.has(value), 'must be a US state code such as CA'),
    zip: required('zip').regex(/^\d{5}(-\d{4})?$/, 'must be a ZIP (12345) or ZIP+4 (12345-6789)'),
    country: required('country')
      .transform((value) => value.toUpperCase())
      .refine((value) => value === 'US', 'only US addresses are served'),
    phone: required('phone')
      .transform((value) => value.replace(/[\s().-]/g, ''))
      .refine((value) => /^\+?1?\d{10}$/.test(value), 'must be a 10-digit US phone number'),
    /** Where the order confirmation, shipping notices and refund mails go; without it none are sent. */
    email: z.string().trim().toLowerCase().pipe(z.email('must be an email address')).optional(),
  })
  .strict()
  .meta({ id: 'ShippingAddressInput' });

/** An address as answers give it: the normalised form ShippingAddressInput produced when it was set. */
export const ShippingAddress = z
  .object({
    name: z.string(),
    address1: z.string(),
    address2: z.string().optional(),
    city: z.string(),
    state: z.string().meta({ example: 'CA' }),
    zip: z.string(),
    country: z.string().meta({ example: 'US' }),
    phone: z.string().meta({ example: '+14155550100' }),
    email: z.string().optional().meta({ example: 'ada@example.com' }),
  })
  .meta({ id: 'ShippingAddress' });

export const PaymentInput = z
  .object({
    paymentMethodId: z
      .string()
      .trim()
      .max(255, 'must be at most 255 characters')
      .regex(/^pm_[A-Za-z0-9_]+$/, 'must be a Stripe payment method id (pm_…)'),
  })
  .strict()
  .meta({ id: 'PaymentInput' });

export const SessionIdParam = z.object({
  sessionId: z.string().regex(/^cs_[A-Za-z0-9_-]{1,64}$/, 'must be a checkout session id (cs_…)'),
});

const SnapshotItem = z.object({
  cartItemId: z.string(),
  productId: z.string(),
  ...lineItemFields,
  ...productLinkFields,
});

const Totals = {
  subtotalCents: z.number().int(),
  shippingCents: z.number().int(),
  discountCents: z.number().int().meta({ description: 'The promo code’s share (items) plus any shipping it waives' }),
  taxCents: z.number().int().meta({ description: 'On the subtotal after the items’ discount; shipping is not taxed' }),
  totalCents: z.number().int().meta({ description: 'subtotal + shipping + tax − discount' }),
};

const ShippingChoice = z
  .object({
    id: z.string().meta({ example: 'express' }),
    name: z.string(),
    priceCents: z.number().int().meta({ description: 'For this store’s subtotal (free above the option’s threshold)' }),
    deliveryEstimate: z.object({ minDays: z.number().int(), maxDays: z.number().int() }).nullable(),
  })
  .meta({ id: 'ShippingChoice' });

const FrozenPromotion = z
  .object({
    promotionId: z.string(),
    code: z.string(),
    kind: z.enum(['fixed_amount', 'percent', 'free_shipping']),
    amountCents: z.number().int().nullable(),
    percentOff: z.number().int().nullable(),
  })
  .meta({ id: 'FrozenPromotion' });

export const CartSnapshot = z
  .object({
    currency: z.string(),
    stores: z.array(
      z.object({
        storeId: z.string(),
        storeSlug: z.string(),
        storeName: z.string(),
        placementMethod: z.enum(['api', 'headless', 'manual']),
        items: z.array(SnapshotItem),
        ...Totals,
        shippingDiscountCents: z.number().int().meta({ description: 'The part of discountCents that waives shipping' }),
        fullPriceTotalCents: z
          .number()
          .int()
          .meta({ description: 'What the retailer charges us: no discount (we fund it), tax on the whole subtotal' }),
        shippingOptions: z.array(ShippingChoice).meta({ description: 'What the store offers, cheapest first' }),
        shippingOption: orNull(ShippingChoice).meta({
          description: 'The shopper’s choice; the cheapest until one is made',
        }),
        shippingOptionChosen: z
          .boolean()
          .optional()
          .meta({ description: 'true once the shopper chose; until then the cheapest is chosen for them' }),
        shippingOptionsSource: z.enum(['store', 'retailer']).optional().meta({
          description:
            'Only for a store whose options come from its retailer: retailer once it quoted them for the session’s address; store while the configured options stand in (no address yet, or the retailer did not answer in time)',
        }),
      }),
    ),
    promotion: orNull(FrozenPromotion).optional().meta({ description: 'The promo code frozen at checkout' }),
    summary: z.object({ itemCount: z.number().int(), ...Totals }),
  })
  .meta({ id: 'CartSnapshot' });

export const OrderSummary = z
  .object({
    orderNumber: z.string().meta({ example: 'MO-7K2Q9X4M1B' }),
    storeId: z.string(),
    storeName: z.string(),
    placementMethod: z.enum(['api', 'headless', 'manual']),
    status: z.enum(ORDER_STATUSES),
    totalCents: z.number().int(),
  })
  .meta({ id: 'OrderSummary' });

export const CheckoutSession = z
  .object({
    sessionId: z.string(),
    status: z.enum(SESSION_VIEW_STATUSES),
    cartSnapshot: CartSnapshot,
    shippingAddress: orNull(ShippingAddress),
    paymentMethodId: z.string().nullable(),
    paymentIntentId: z.string().nullable(),
    expiresAt: z.iso.datetime(),
    createdAt: z.iso.datetime(),
    orders: z.array(OrderSummary).optional(),
  })
  .meta({ id: 'CheckoutSession' });

export const PlaceResult = z
  .object({
    checkoutSessionId: z.string(),
    paymentIntentId: z.string(),
    chargedCents: z
      .number()
      .int()
      .meta({ description: 'Money taken at place: the total, or 0 when the payment is only authorized' }),
    authorizedCents: z.number().int().optional().meta({
      description: 'Capture policy after_placement: the total held on the card; only what is placed is captured',
    }),
    orders: z.array(OrderSummary),
    summary: z.object({ totalOrders: z.number().int() }),
  })
  .meta({ id: 'PlaceResult' });
