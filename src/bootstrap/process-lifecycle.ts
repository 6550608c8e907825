import { ConfigError } from '../config';
import type { Logger } from '../logger';

/** Runs a process entry point: a configuration problem exits 2 with its message, anything else exits 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(error instanceof ConfigError ? 2 : 1);
  });
}

/**
 * Sends a crash through the logger (one JSON line with the error) instead of a bare stack on stderr, then exits 1
 * as Node itself would: a promise nobody handled or a throw nobody caught leaves the process in an unknown state.
 */
export function logProcessFailures(logger: Logger): void {
  process.on('uncaughtException', (err, origin) => {
    logger.fatal({ err, origin }, 'uncaught exception; exiting');
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason, origin: 'unhandledRejection' }, 'unhandled promise rejection; exiting');
    process.exit(1);
  });
}

/** On SIGTERM or SIGINT, runs `shutdown` once (stop taking work, finish what runs, close connections), then exits. */
export function onShutdownSignal(logger: Logger, shutdown: () => Promise<void>): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await shutdown();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
