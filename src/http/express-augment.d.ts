import type { Principal } from '../domain/principal';
import type { Logger } from 'pino';

declare global {
  namespace Express {
    interface Request {
      principal?: Principal;
      /** The raw body bytes, kept for webhook signature checks. */
      rawBody?: Buffer;
      /** This request's id (X-Request-Id). */
      id: string;
      /** A logger that stamps the request id on every line. */
      log: Logger;
    }
  }
}

export {};
