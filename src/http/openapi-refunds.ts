import type { AddOperation } from './openapi-operation';
import { CancelOrderInput, Refund, RefundInput } from './schemas/admin';
import { OrderListItem, OrderNumberParam } from './schemas/orders';

/** Admins giving money back: a refund, or a cancellation that refunds it all. */
export function describeRefundsApi(add: AddOperation): void {
  add('post', '/admin/orders/{orderNumber}/refunds', {
    summary:
      'Refund an order: all of it, some items (what was paid for them: price less their discount share, plus tax) or an amount',
    tags: ['Admin'],
    params: OrderNumberParam,
    body: RefundInput,
    idempotent: true,
    response: Refund,
    status: 201,
    errors: {
      403: 'forbidden',
      404: 'not_found',
      409: 'invalid_transition | request_in_progress | payment_not_captured (capture policy after_placement: not captured yet, or left out)',
      422: 'refund_exceeds_captured | idempotency_key_reused',
      503: 'service_unavailable (retry with the same key)',
    },
  });
  add('post', '/admin/orders/{orderNumber}/cancel', {
    summary: 'Cancel and refund an order (ops are asked to cancel it at the retailer)',
    tags: ['Admin'],
    params: OrderNumberParam,
    body: CancelOrderInput,
    response: OrderListItem,
    errors: {
      403: 'forbidden',
      404: 'not_found',
      409: 'invalid_transition',
      503: 'service_unavailable (the refund could not reach the payment provider)',
    },
  });
}
