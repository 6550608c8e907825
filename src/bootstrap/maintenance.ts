import type { Logger } from '../logger';
import type { Services } from '../services/create-services';

/**
 * The resume half of every saga, on a timer: places whose process died mid-way, payments a shopper completed
 * (3-D Secure) but never placed, orders whose enqueue or run was lost, authorizations due for capture, refunds left
 * pending, checkouts left unsettled; and once a day, reconciliation with Stripe. Each step is idempotent and safe to
 * run on every instance at once.
 */
export function startMaintenance(services: Services, logger: Logger, intervalMs = 15_000): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const tick = async () => {
    try {
      const recovered = await services.placeCheckout.recoverStalePlacements();
      const abandoned = await services.placeCheckout.recoverAbandonedPayments();
      const swept = await services.placement.sweepPendingOrders();
      const stalled = await services.placement.resumeStalledOrders();
      // Before the refunds: a refund waits for the capture it returns money from.
      const captured = await services.captures.captureDue();
      const refunds = await services.refunds.resumePendingRefunds();
      const settled = await services.placement.settleOverdueCheckouts();
      if (recovered + abandoned + swept + stalled + captured + refunds + settled > 0) {
        logger.info({ recovered, abandoned, swept, stalled, captured, refunds, settled }, 'maintenance resumed interrupted work');
      }
      // Once a day (claimed across instances): yesterday's Stripe payments and refunds against the ledger. Reports only.
      await services.reconciliation.runDailyIfDue();
    } catch (error) {
      logger.error({ err: error }, 'maintenance pass failed; will try again');
    }
  };
  const timer = setInterval(() => {
    running ??= tick().finally(() => {
      running = null;
    });
  }, intervalMs);
  timer.unref();
  running = tick().finally(() => {
    running = null;
  });
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
