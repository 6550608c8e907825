import type { Request, Response } from 'express';
import { send } from '../http/respond';
import { parseInput } from '../http/validate';
import { slug } from '../http/schemas/common';
import { RetailerEventInput } from '../http/schemas/webhooks';
import type { PaymentWebhookService } from '../services/payment-webhook-service';
import type { RetailerWebhookService } from '../services/retailer-webhook-service';

/** Signatures first (on the raw bytes), then the body's shape, then the event. */
export function createWebhooksController(retailers: RetailerWebhookService, payments: PaymentWebhookService) {
  return {
    async retailer(req: Request, res: Response) {
      const storeSlug = parseInput(slug, req.params.storeSlug, 'storeSlug');
      const store = await retailers.authenticate(storeSlug, req.rawBody, req.get('X-Retailer-Signature'));
      const event = parseInput(RetailerEventInput, req.body);
      send(res, await retailers.receive(store, event));
    },
    async stripe(req: Request, res: Response) {
      const event = payments.verify(req.rawBody, req.get('Stripe-Signature'));
      send(res, await payments.receive(event));
    },
  };
}
