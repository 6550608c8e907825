import type { Request, Response } from 'express';
import { principalOf } from '../http/auth';
import { send, sendPage } from '../http/respond';
import { pagination, slug } from '../http/schemas/common';
import {
  CreatePromotionInput,
  PromoCodeInput,
  PromotionCodeParam,
  StoreShippingOptionsInput,
  UpdatePromotionInput,
} from '../http/schemas/promotions';
import { parseInput } from '../http/validate';
import type { PromotionService } from '../services/promotion-service';
import type { ShippingOptionsService } from '../services/shipping-options-service';
import { presentCart, presentPromotion } from './presenters';

const date = (value: string | null | undefined) =>
  value === undefined ? undefined : value === null ? null : new Date(value);

/** Promo codes (admins define them, shoppers apply one to the cart) and the stores' shipping options. */
export function createPromotionsController(promotions: PromotionService, shipping: ShippingOptionsService) {
  const code = (req: Request) => parseInput(PromotionCodeParam, req.params, 'code').code;
  const storeSlug = (req: Request) => parseInput(slug, req.params.slug, 'slug');
  return {
    async applyToCart(req: Request, res: Response) {
      const input = parseInput(PromoCodeInput, req.body);
      send(res, presentCart(await promotions.applyToCart(principalOf(req).userId, input.code)));
    },
    async removeFromCart(req: Request, res: Response) {
      send(res, presentCart(await promotions.removeFromCart(principalOf(req).userId)));
    },
    async create(req: Request, res: Response) {
      const input = parseInput(CreatePromotionInput, req.body);
      const created = await promotions.create({
        code: input.code,
        kind: input.kind,
        amountCents: input.amountCents ?? null,
        percentOff: input.percentOff ?? null,
        minSubtotalCents: input.minSubtotalCents ?? 0,
        firstOrderOnly: input.firstOrderOnly ?? false,
        perCustomerLimit: input.perCustomerLimit ?? null,
        totalLimit: input.totalLimit ?? null,
        startsAt: date(input.startsAt) ?? null,
        endsAt: date(input.endsAt) ?? null,
        active: input.active,
        description: input.description,
      });
      send(res, presentPromotion(created), 201);
    },
    async update(req: Request, res: Response) {
      const which = code(req);
      const input = parseInput(UpdatePromotionInput, req.body);
      const updated = await promotions.update(which, {
        ...input,
        startsAt: date(input.startsAt),
        endsAt: date(input.endsAt),
      });
      send(res, presentPromotion(updated));
    },
    async get(req: Request, res: Response) {
      send(res, presentPromotion(await promotions.get(code(req))));
    },
    async list(req: Request, res: Response) {
      const { limit, offset } = parseInput(pagination, req.query, 'query');
      const { rows, total } = await promotions.list(limit, offset);
      sendPage(res, rows.map(presentPromotion), { totalPromotions: total, limit, offset });
    },
    async getShippingOptions(req: Request, res: Response) {
      send(res, await shipping.get(storeSlug(req)));
    },
    async setShippingOptions(req: Request, res: Response) {
      const which = storeSlug(req);
      const { options, source } = parseInput(StoreShippingOptionsInput, req.body);
      send(res, await shipping.set(which, options, source));
    },
  };
}
