import type { Response } from 'express';

/** The contract's success envelope. */
export function send<T>(res: Response, data: T, status = 200): void {
  res.status(status).json({ success: true, data });
}
