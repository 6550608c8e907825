import { DomainError } from '../domain/errors';
import { canTransition, type OrderStatus } from '../domain/order-status';
import { verifyRetailerSignature } from '../domain/retailer-signature';
import { findOrderByStoreOrderNumber, listStatusHistory } from '../repositories/orders-repository';
import type { OrderRecord } from '../domain/order';
import { findStoreBySlug } from '../repositories/stores-repository';
import type { StoreRecord } from '../domain/store';
import { retailerCancelledRefundKey } from '../domain/idempotency-keys';
import * as events from '../repositories/webhook-events-repository';
import { finishMove, transitionOrder } from './order-state-machine';
import type { RefundService } from './refund-service';
import type { ServiceDeps } from './service-deps';

export interface RetailerEvent {
  id: string;
  type: 'order.confirmed' | 'order.shipped' | 'order.delivered' | 'order.cancelled';
  data: { storeOrderNumber: string; trackingNumber?: string; carrier?: string; estimatedDelivery?: string };
}

export interface RetailerEventReceipt {
  eventId: string;
  duplicate: boolean;
  outcome: events.EventOutcome;
  orderNumber?: string;
  status?: OrderStatus;
  note?: string;
}

const TARGET: Record<RetailerEvent['type'], OrderStatus> = {
  'order.confirmed': 'confirmed',
  'order.shipped': 'shipped',
  'order.delivered': 'delivered',
  'order.cancelled': 'cancelled',
};

/**
 * Retailer tracking webhooks: verified on the raw body with the store's secret, claimed by event id while being
 * applied (a repeat of a settled event is accepted once; a repeat during a live claim is `request_in_progress`;
 * a claim left by a dead process is taken over after its lease), applied through the order state machine. An
 * event that would move an order backwards is recorded and ignored; a retailer cancelling refunds the shopper.
 */
export function createRetailerWebhookService(deps: ServiceDeps, refunds: RefundService) {
  const { db, clock, logger } = deps;

  /** A retailer's cancellation owes the shopper their money back; it commits with the move. */
  const owedBy = (order: OrderRecord, target: OrderStatus, event: RetailerEvent) =>
    target === 'cancelled'
      ? refunds.owedRefund(`cancelled by the retailer (${event.id})`, retailerCancelledRefundKey(order.orderNumber))
      : undefined;

  /** Whether this event's own move is in the order's history: a crashed earlier attempt got that far. */
  async function movedBy(order: OrderRecord, target: OrderStatus, reason: string): Promise<boolean> {
    return (await listStatusHistory(db, order.id)).some(
      (entry) => entry.toStatus === target && entry.reason === reason,
    );
  }

  async function apply(
    store: StoreRecord,
    event: RetailerEvent,
    resumed: boolean,
  ): Promise<Omit<RetailerEventReceipt, 'eventId' | 'duplicate'> & { orderId?: string }> {
    const order = await findOrderByStoreOrderNumber(db, store.id, event.data.storeOrderNumber);
    if (!order) {
      // Not recorded: the retailer's retry may arrive after our worker has recorded the placement.
      throw new DomainError(
        'not_found',
        `No order with store order number ${event.data.storeOrderNumber} at ${store.slug}`,
      );
    }
    const target = TARGET[event.type];
    const reason = `retailer ${store.slug} event ${event.id}: ${event.type}`;
    if (resumed && order.status === target && (await movedBy(order, target, reason))) {
      // The process died after the move and before the row was settled: the move stands, what follows it may not.
      await finishMove(deps, order, owedBy(order, target, event));
      return { outcome: 'applied', orderId: order.id, orderNumber: order.orderNumber, status: order.status };
    }
    if (order.status === target || !canTransition(order.status, target)) {
      const note = `ignored: order is ${order.status}, ${event.type} would not move it forward`;
      return { outcome: 'ignored', orderId: order.id, orderNumber: order.orderNumber, status: order.status, note };
    }
    const moved = await transitionOrder(
      deps,
      order,
      target,
      reason,
      {
        ...(event.data.trackingNumber ? { trackingNumber: event.data.trackingNumber } : {}),
        ...(event.data.carrier ? { carrier: event.data.carrier } : {}),
        ...(event.data.estimatedDelivery ? { estimatedDelivery: event.data.estimatedDelivery } : {}),
      },
      owedBy(order, target, event),
    );
    return { outcome: 'applied', orderId: moved.id, orderNumber: moved.orderNumber, status: moved.status };
  }

  return {
    /** The store whose secret signed this body; anything else is `invalid_signature` (also for unknown stores). */
    async authenticate(
      storeSlug: string,
      rawBody: Buffer | undefined,
      signature: string | undefined,
    ): Promise<StoreRecord> {
      const store = await findStoreBySlug(db, storeSlug);
      const nowSeconds = Math.floor(clock.now().getTime() / 1000);
      if (
        !store?.webhookSecret ||
        !rawBody ||
        !verifyRetailerSignature(signature, rawBody, store.webhookSecret, nowSeconds)
      ) {
        throw new DomainError('invalid_signature', 'Missing, stale or invalid X-Retailer-Signature');
      }
      return store;
    },

    async receive(store: StoreRecord, event: RetailerEvent): Promise<RetailerEventReceipt> {
      const claim = await events.claimRetailerEvent(
        db,
        { storeId: store.id, eventId: event.id, type: event.type, payload: event },
        clock.now(),
      );
      if (claim.status === 'in_progress') {
        // Not a duplicate yet: the delivery holding the claim may still fail, so the retailer must retry.
        throw new DomainError('request_in_progress', `Event ${event.id} is being processed; deliver it again later`);
      }
      if (claim.status === 'settled')
        return { eventId: event.id, duplicate: true, outcome: claim.outcome, note: claim.note ?? undefined };
      if (claim.resumed)
        logger.warn({ store: store.slug, event: event.id }, 'retailer event: taking over a stale claim');
      try {
        const { orderId, ...result } = await apply(store, event, claim.resumed);
        if (
          !(await events.settleRetailerEvent(db, store.id, event.id, claim.claimedAt, {
            outcome: result.outcome,
            orderId,
            note: result.note,
          }))
        ) {
          logger.warn({ store: store.slug, event: event.id }, 'retailer event: claim was taken over while applying');
        }
        if (result.outcome === 'ignored')
          logger.info({ store: store.slug, event: event.id, note: result.note }, 'retailer event ignored');
        return { eventId: event.id, duplicate: false, ...result };
      } catch (error) {
        // Not applied: forget the claim so the retailer's retry is processed.
        await events.forgetRetailerEvent(db, store.id, event.id, claim.claimedAt);
        throw error;
      }
    },
  };
}

export type RetailerWebhookService = ReturnType<typeof createRetailerWebhookService>;
