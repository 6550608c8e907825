import { Worker } from 'bullmq';
import { silentLogger } from '../logger';
import { bullmqConnection, DEFAULT_PREFIX } from './bullmq-connection';
import type { BullmqPlacementQueue } from './bullmq-placement-queue';
import { startBullmqPlacementWorker, type BullmqPlacementWorkerOptions } from './bullmq-placement-worker';
import { methodQueueName, type QueueMethod } from './placement-methods';
import type { PlacementJob, PlacementWorkerHandle } from './placement-queue';

/** `queueName` is the base name; `route`, `gateQueueName` and `concurrency` are set per method queue here. */
export type PlacementFleetOptions = BullmqPlacementWorkerOptions & {
  /** The methods this process places; one consumer per method queue. */
  methods: readonly QueueMethod[];
  /** Jobs at once per method queue in this process (a headless queue's is its browser page count). */
  concurrencyOf: Record<QueueMethod, number>;
  /** Where hand-offs and the old queue's jobs go. */
  producer: BullmqPlacementQueue;
  /** Consume the single queue of earlier versions (the base name) and move its jobs to their method queues. */
  drainLegacyQueue?: boolean;
};

/**
 * A worker process's consumers: one BullMQ worker per method queue it runs, each with its own concurrency, all
 * sharing the base queue's store gate; plus the drain of the pre-split queue.
 */
export async function startPlacementFleet(options: PlacementFleetOptions): Promise<PlacementWorkerHandle> {
  const { methods, producer, concurrencyOf, drainLegacyQueue = true, ...shared } = options;
  const handles: PlacementWorkerHandle[] = [];
  let drain: { close(): Promise<void> } | undefined;
  try {
    for (const method of methods) {
      handles.push(
        await startBullmqPlacementWorker({
          ...shared,
          queueName: methodQueueName(options.queueName, method),
          gateQueueName: options.queueName,
          concurrency: concurrencyOf[method],
          route: { method, handOff: (job, to) => producer.handOff(job, to) },
        }),
      );
    }
    if (drainLegacyQueue) drain = await startLegacyQueueDrain(options);
  } catch (err) {
    await Promise.allSettled(handles.map((handle) => handle.close()));
    throw err;
  }
  return {
    getBreakerState: (storeId) => handles[0]!.getBreakerState(storeId),
    async close() {
      await Promise.allSettled([...handles.map((handle) => handle.close()), drain?.close()]);
    },
  };
}

/**
 * Upgrade path from the single placement queue: its jobs (waiting, delayed until due, or left active by a worker
 * of the old version, once BullMQ finds them stalled) are enqueued again without a method, so each goes to the
 * queue of its order's method; the placement run itself happens there. Placing nothing here, it needs no gate.
 */
async function startLegacyQueueDrain(options: PlacementFleetOptions): Promise<{ close(): Promise<void> }> {
  const logger = (options.logger ?? silentLogger).child({ queue: options.queueName, legacy: true });
  const worker = new Worker<PlacementJob>(
    options.queueName,
    async (job) => {
      const { orderNumber, storeId, runKey } = job.data;
      await options.producer.enqueue([{ orderNumber, storeId, ...(runKey ? { runKey } : {}) }]);
      logger.info({ orderNumber }, 'moved a job of the old single placement queue to its method queue');
    },
    {
      connection: bullmqConnection(options),
      prefix: options.prefix ?? DEFAULT_PREFIX,
      concurrency: 10,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      // The old jobs name our backoff type; a failed move (Redis or the database away) is tried again soon.
      settings: { backoffStrategy: () => 1_000 },
    },
  );
  worker.on('error', (err) => logger.error({ err }, 'legacy placement queue drain error'));
  await worker.waitUntilReady();
  return { close: () => worker.close() };
}
