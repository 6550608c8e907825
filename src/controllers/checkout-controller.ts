import type { Request, Response } from 'express';
import { principalOf } from '../http/auth';
import { send } from '../http/respond';
import { parseInput } from '../http/validate';
import { PaymentInput, SessionIdParam, ShippingAddressInput } from '../http/schemas/checkout';
import { ShippingChoicesInput } from '../http/schemas/promotions';
import type { CheckoutService } from '../services/checkout-service';
import type { PlaceCheckoutService } from '../services/place-checkout-service';
import { presentPlaceResult, presentSession } from './presenters';

export function createCheckoutController(checkout: CheckoutService, placement: PlaceCheckoutService) {
  const sessionId = (req: Request) => parseInput(SessionIdParam, req.params, 'sessionId').sessionId;
  return {
    async create(req: Request, res: Response) {
      send(res, presentSession(await checkout.createSession(principalOf(req))), 201);
    },
    async get(req: Request, res: Response) {
      send(res, presentSession(await checkout.getSession(principalOf(req), sessionId(req))));
    },
    async setShipping(req: Request, res: Response) {
      const id = sessionId(req);
      const address = parseInput(ShippingAddressInput, req.body);
      send(res, presentSession(await checkout.setShipping(principalOf(req), id, address)));
    },
    async setShippingChoices(req: Request, res: Response) {
      const id = sessionId(req);
      const { choices } = parseInput(ShippingChoicesInput, req.body);
      const byStore = new Map(choices.map((choice) => [choice.storeId, choice.optionId]));
      send(res, presentSession(await checkout.setShippingChoices(principalOf(req), id, byStore)));
    },
    async setPayment(req: Request, res: Response) {
      const id = sessionId(req);
      const { paymentMethodId } = parseInput(PaymentInput, req.body);
      send(res, presentSession(await checkout.setPaymentMethod(principalOf(req), id, paymentMethodId)));
    },
    async place(req: Request, res: Response) {
      const id = sessionId(req);
      const result = await placement.place(principalOf(req), id, req.get('Idempotency-Key')!);
      send(res, presentPlaceResult(result), 201);
    },
    async cancel(req: Request, res: Response) {
      send(res, presentSession(await checkout.cancel(principalOf(req), sessionId(req))));
    },
  };
}
