import { z } from 'zod';
import { lineItemFields, orNull, slug } from './common';
import { PromotionTerms } from './promotions';

const quantity = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be between 1 and 99')
  .max(99, 'must be between 1 and 99');
const variant = z.string().trim().max(50);

export const AddCartItemInput = z
  .object({
    storeSlug: slug,
    sku: z.string().trim().min(1).max(100),
    quantity,
    size: variant.optional(),
    color: variant.optional(),
  })
  .strict()
  .meta({ id: 'AddCartItemInput' });

export const UpdateCartItemInput = z.object({ quantity }).strict().meta({ id: 'UpdateCartItemInput' });

export const CartItem = z.object({
  id: z.uuid(),
  storeId: z.uuid(),
  storeName: z.string(),
  ...lineItemFields,
  unitPriceCents: z.number().int().meta({ description: 'Today’s catalog price: what a checkout session would freeze' }),
  available: z
    .boolean()
    .meta({ description: 'False when the product went unavailable since it was added (checkout refuses it)' }),
  addedUnitPriceCents: z.number().int().meta({ description: 'The price when the line was added' }),
  priceChanged: z.boolean().meta({ description: 'The price is no longer what it was when the line was added' }),
});

export const Cart = z
  .object({
    items: z.array(CartItem),
    summary: z.object({ itemCount: z.number().int(), subtotalCents: z.number().int() }),
    promotion: orNull(PromotionTerms).meta({
      description: 'The promo code applied to the cart; a checkout session prices it',
    }),
  })
  .meta({ id: 'Cart' });
