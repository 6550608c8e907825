import type { RetailerOrderStatus, StatusPolling } from '../placement/placement-adapter';
import type { PlacementRegistry } from '../placement/placement-registry';
import { findStoreBySlug } from '../repositories/stores-repository';
import { claimDuePolls, recordPoll, type DuePoll } from '../repositories/status-polls-repository';
import type { RetailerEvent, RetailerWebhookService } from './retailer-webhook-service';
import type { ServiceDeps, StatusPollSchedule } from './service-deps';

/** A poll that dies mid-way leaves its order claimed this long, then it is due again. */
const CLAIM_LEASE_MS = 5 * 60_000;
/** Polls in flight at once: each is one or two calls to a retailer, which may be slow. */
const CONCURRENCY = 4;

/** The wait before the next poll: doubled for every poll in a row that saw nothing change, up to the maximum. */
export function nextPollDelayMs(schedule: StatusPollSchedule, unchangedPolls: number): number {
  return Math.min(schedule.maxMs, schedule.firstMs * 2 ** Math.min(unchangedPolls, 30));
}

/**
 * The moves a retailer's webhooks would announce for the state it reports, in order: a delivered order we still
 * hold as placed is first shipped (with its tracking), then delivered. The ids are stable for one state (and one
 * tracking code), so a repeated poll is a duplicate event, applied once.
 */
export function eventsFor(
  poll: Pick<DuePoll, 'status' | 'storeOrderNumber'>,
  platform: string,
  status: RetailerOrderStatus,
): RetailerEvent[] {
  const data = {
    storeOrderNumber: poll.storeOrderNumber,
    trackingNumber: status.trackingNumber,
    carrier: status.carrier,
  };
  const id = (what: string) => `poll:${platform}:${poll.storeOrderNumber}:${what}`.slice(0, 255);
  const shipped: RetailerEvent = { id: id(`shipped:${status.trackingNumber ?? ''}`), type: 'order.shipped', data };
  if (status.state === 'cancelled')
    return [{ id: id('cancelled'), type: 'order.cancelled', data: { storeOrderNumber: poll.storeOrderNumber } }];
  if (status.state === 'shipped') return [shipped];
  if (status.state === 'delivered') {
    const delivered: RetailerEvent = { id: id('delivered'), type: 'order.delivered', data };
    return poll.status === 'shipped' ? [delivered] : [shipped, delivered];
  }
  return [];
}

/**
 * Status sync for retailers that send no webhooks (Vendure and the like): asks each placed order's retailer where
 * it is and applies what it says as the retailer's webhook would have, through the same service (the same
 * transitions, the refund on a cancellation, and its idempotency by event id). Polls back off while nothing
 * changes, and stop once the order is delivered, cancelled or refunded. Safe to run on every instance at once.
 */
export function createStatusSyncService(
  deps: ServiceDeps,
  collaborators: { registry: PlacementRegistry; retailerWebhooks: RetailerWebhookService },
) {
  const { db, clock, logger } = deps;
  const schedule = deps.settings.statusPoll;

  async function pollOne(poll: DuePoll, readStatus: StatusPolling['readStatus']): Promise<boolean> {
    const platform = String(poll.placementConfig.platform);
    let changed = false;
    let retailerState: string | null = null;
    let error: string | null = null;
    try {
      const status = await readStatus(poll.storeOrderNumber, {
        config: poll.placementConfig,
        logger: logger.child({ orderNumber: poll.orderNumber }),
      });
      retailerState = status.retailerState;
      const store = await findStoreBySlug(db, poll.storeSlug);
      for (const event of eventsFor(poll, platform, status)) {
        const receipt = await collaborators.retailerWebhooks.receive(store!, event);
        changed ||= !receipt.duplicate && receipt.outcome === 'applied';
      }
    } catch (failure) {
      error = (failure as Error).message;
      logger.warn(
        { err: failure, orderNumber: poll.orderNumber, platform },
        'status poll failed; will try again later',
      );
    }
    const unchangedPolls = changed ? 0 : poll.unchangedPolls + 1;
    const now = clock.now();
    await recordPoll(db, poll.orderId, {
      nextPollAt: new Date(now.getTime() + nextPollDelayMs(schedule, changed ? 0 : poll.unchangedPolls)),
      unchangedPolls,
      retailerState,
      error,
      polledAt: now,
    });
    return changed;
  }

  /** Platforms are an `api` notion (placementConfig.platform): only its connectors poll. */
  const pollingOf = (): StatusPolling | undefined => {
    try {
      return collaborators.registry.adapterFor('api').statusPolling;
    } catch {
      return undefined;
    }
  };

  return {
    /** Polls the orders that are due (at most `limit`); answers how many moved. */
    async syncDue(limit = 50): Promise<{ polled: number; moved: number }> {
      const polling = pollingOf();
      if (!polling) return { polled: 0, moved: 0 };
      const due = await claimDuePolls(db, polling.platforms, clock.now(), CLAIM_LEASE_MS, limit);
      let moved = 0;
      for (let next = 0; next < due.length; next += CONCURRENCY) {
        const results = await Promise.all(
          due.slice(next, next + CONCURRENCY).map((poll) => pollOne(poll, polling.readStatus)),
        );
        moved += results.filter(Boolean).length;
      }
      return { polled: due.length, moved };
    },
  };
}

export type StatusSyncService = ReturnType<typeof createStatusSyncService>;
