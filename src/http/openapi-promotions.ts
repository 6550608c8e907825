import { z } from 'zod';
import type { AddOperation } from './openapi-operation';
import { Cart } from './schemas/cart';
import { CheckoutSession, SessionIdParam } from './schemas/checkout';
import { pagination } from './schemas/common';
import {
  CreatePromotionInput,
  PromoCodeInput,
  Promotion,
  ShippingChoicesInput,
  StoreShippingOptions,
  StoreShippingOptionsInput,
  UpdatePromotionInput,
} from './schemas/promotions';

/** The refusals of a code a shopper applies or checks out with: each its own 422 code. */
export const PROMO_CODE_ERRORS =
  'promo_code_invalid (unknown or inactive) | promo_code_expired | promo_code_not_started | promo_code_not_eligible (details.reason: min_subtotal | first_order_only) | promo_code_exhausted (used up) | promo_code_limit_reached (this shopper’s uses)';

/** Promo codes and shipping choices, as operations of the OpenAPI document (paths relative to /api/v1). */
export function describePromotionsApi(add: AddOperation, sessionEditErrors: Record<number, string>): void {
  add('post', '/cart/promo', {
    summary: 'Apply a promo code to the cart (replaces any other)',
    tags: ['Cart'],
    body: PromoCodeInput,
    response: Cart,
    errors: { 422: PROMO_CODE_ERRORS },
  });
  add('delete', '/cart/promo', { summary: 'Remove the cart’s promo code', tags: ['Cart'], response: Cart });
  add('put', '/checkout/sessions/{sessionId}/shipping-options', {
    summary: 'Choose each store’s shipping option (shipping, discount, tax and totals follow)',
    tags: ['Checkout'],
    params: SessionIdParam,
    body: ShippingChoicesInput,
    response: CheckoutSession,
    errors: { ...sessionEditErrors, 422: 'shipping_option_unknown (details.unknown: [{storeId, optionId}])' },
  });

  const admin = ['Admin'];
  const CodeParam = z.object({ code: z.string() });
  add('get', '/admin/promotions', {
    summary: 'Promo codes, newest first, with their uses',
    tags: admin,
    query: pagination,
    response: Promotion,
    pageTotal: 'totalPromotions',
    errors: { 403: 'forbidden' },
  });
  add('post', '/admin/promotions', {
    summary: 'Create a promo code',
    tags: admin,
    body: CreatePromotionInput,
    response: Promotion,
    status: 201,
    errors: { 403: 'forbidden', 409: 'promotion_exists' },
  });
  add('get', '/admin/promotions/{code}', {
    summary: 'One promo code with its uses',
    tags: admin,
    params: CodeParam,
    response: Promotion,
    errors: { 403: 'forbidden', 404: 'promotion_not_found' },
  });
  add('put', '/admin/promotions/{code}', {
    summary: 'Change a code’s conditions (limits, dates, active)',
    tags: admin,
    params: CodeParam,
    body: UpdatePromotionInput,
    response: Promotion,
    errors: { 403: 'forbidden', 404: 'promotion_not_found' },
  });
  const SlugParam = z.object({ slug: z.string() });
  add('get', '/admin/stores/{slug}/shipping-options', {
    summary: 'A store’s shipping options',
    tags: admin,
    params: SlugParam,
    response: StoreShippingOptions,
    errors: { 403: 'forbidden', 404: 'store_not_found' },
  });
  add('put', '/admin/stores/{slug}/shipping-options', {
    summary: 'Replace a store’s shipping options (new checkouts offer them)',
    tags: admin,
    params: SlugParam,
    body: StoreShippingOptionsInput,
    response: StoreShippingOptions,
    errors: {
      403: 'forbidden',
      404: 'store_not_found',
      422: 'shipping_not_quotable (source retailer on a store not placed through its retailer’s API)',
    },
  });
}
