import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service: 'mor-checkout' },
    redact: { paths: ['req.headers.authorization', '*.apiKey', '*.password', '*.webhookSecret'], censor: '[redacted]' },
  });
}

/** A logger that drops everything, for tests and benchmarks that do not read logs. */
export const silentLogger: Logger = pino({ level: 'silent' });
