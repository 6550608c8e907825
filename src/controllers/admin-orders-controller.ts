import type { Request, Response } from 'express';
import { principalOf } from '../http/auth';
import { send } from '../http/respond';
import { parseInput } from '../http/validate';
import { CancelOrderInput, RefundInput } from '../http/schemas/admin';
import { OrderNumberParam } from '../http/schemas/orders';
import type { OrderAdminService } from '../services/order-admin-service';
import { presentOrderListItem } from './presenters';

export function createAdminOrdersController(orderAdmin: OrderAdminService) {
  const orderNumber = (req: Request) => parseInput(OrderNumberParam, req.params, 'orderNumber').orderNumber;
  return {
    async refund(req: Request, res: Response) {
      const number = orderNumber(req);
      const input = parseInput(RefundInput, req.body);
      const refund = await orderAdmin.refund(principalOf(req), number, input, req.get('Idempotency-Key')!);
      send(res, refund, 201);
    },
    async cancel(req: Request, res: Response) {
      const number = orderNumber(req);
      const { reason } = parseInput(CancelOrderInput, req.body);
      send(res, presentOrderListItem(await orderAdmin.cancel(principalOf(req), number, reason)));
    },
  };
}
