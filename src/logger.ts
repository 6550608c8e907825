import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service: 'mor-checkout' },
    redact: { paths: ['req.headers.authorization', '*.apiKey', '*.password', '*.webhookSecret'], censor: '[redacted]' },
    serializers: { err: serializeError },
  });
}

/**
 * Postgres errors carry row data: `detail` ("Failing row contains (…, 1 Market St, …)", "Key (…)=(…)") and
 * `where` can hold a shopper's address or email. Logs keep the code, constraint, table and message, never the values.
 */
const ROW_DATA_FIELDS = ['detail', 'where', 'parameters', 'internalQuery', 'hint'];

export function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  if (!serialized || typeof serialized !== 'object') return serialized;
  for (const field of ROW_DATA_FIELDS) if (field in serialized) serialized[field] = '[redacted]';
  return serialized;
}

/** A logger that drops everything, for tests and benchmarks that do not read logs. */
export const silentLogger: Logger = pino({ level: 'silent' });
