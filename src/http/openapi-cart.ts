import { z } from 'zod';
import type { AddOperation } from './openapi-operation';
import { AddCartItemInput, Cart, UpdateCartItemInput } from './schemas/cart';

const ItemIdParam = z.object({ itemId: z.uuid() });

/** The shopper's one cart across every store. */
export function describeCartApi(add: AddOperation): void {
  const shopper = ['Cart'];
  add('get', '/cart', { summary: 'The shopper’s cart', tags: shopper, response: Cart });
  add('post', '/cart/items', {
    summary: 'Add an item',
    tags: shopper,
    body: AddCartItemInput,
    response: Cart,
    status: 201,
    errors: {
      404: 'product_not_found',
      409: 'product_unavailable',
      422: 'cart_limit_exceeded (details.limit: lines | subtotal)',
    },
  });
  add('patch', '/cart/items/{itemId}', {
    summary: 'Change a quantity',
    tags: shopper,
    params: ItemIdParam,
    body: UpdateCartItemInput,
    response: Cart,
    errors: { 404: 'not_found', 422: 'cart_limit_exceeded (details.limit: subtotal)' },
  });
  add('delete', '/cart/items/{itemId}', {
    summary: 'Remove an item',
    tags: shopper,
    params: ItemIdParam,
    response: Cart,
    errors: { 404: 'not_found' },
  });
  add('delete', '/cart', { summary: 'Empty the cart', tags: shopper, response: Cart });
}
