import type { Principal } from '../domain/principal';
import type {} from 'pino-http';

declare global {
  namespace Express {
    interface Request {
      principal?: Principal;
      /** The raw body bytes, kept for webhook signature checks. */
      rawBody?: Buffer;
    }
  }
}

export {};
