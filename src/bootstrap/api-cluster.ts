import cluster from 'node:cluster';
import type { Logger } from '../logger';
import { onShutdownSignal } from './process-lifecycle';

/** Set on each API process the supervisor starts: 0 … WEB_CONCURRENCY − 1, kept when a process is replaced. */
const INSTANCE_VARIABLE = 'API_INSTANCE';

/**
 * Whether this process runs the once-per-deployment duties (the maintenance loop): a single API process, or
 * instance 0 of a cluster. The loop is safe on every instance at once; one is enough.
 */
export const isLeadApiInstance = (): boolean => (process.env[INSTANCE_VARIABLE] ?? '0') === '0';

/** True in the supervising process of WEB_CONCURRENCY > 1, which forks the API processes instead of serving. */
export const shouldSuperviseApiProcesses = (webConcurrency: number): boolean => webConcurrency > 1 && cluster.isPrimary;

/**
 * WEB_CONCURRENCY > 1: this process serves nothing itself. It forks that many API processes, which share the
 * listening port (node:cluster hands each new connection to one of them), replaces one that dies, and on
 * SIGTERM/SIGINT stops them all and waits for their graceful shutdown. A process that exits with 2 (bad
 * configuration) would only fail again, so that stops the whole service instead.
 */
export function superviseApiProcesses(count: number, logger: Logger): void {
  let stopping = false;
  const start = (instance: number) => {
    const child = cluster.fork({ [INSTANCE_VARIABLE]: String(instance) });
    child.once('exit', (code, signal) => {
      if (stopping) return;
      if (code === 2) {
        logger.fatal({ instance }, 'API process rejected its configuration; stopping the service');
        stopAll().finally(() => process.exit(2));
        return;
      }
      logger.error({ instance, code, signal }, 'API process died; starting a replacement');
      start(instance);
    });
  };
  const stopAll = async () => {
    stopping = true;
    const running = Object.values(cluster.workers ?? {}).filter((child) => child !== undefined);
    await Promise.all(
      running.map(
        (child) =>
          new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.process.kill('SIGTERM');
          }),
      ),
    );
  };

  for (let instance = 0; instance < count; instance++) start(instance);
  logger.info({ processes: count }, 'supervising API processes');
  onShutdownSignal(logger, stopAll);
}
