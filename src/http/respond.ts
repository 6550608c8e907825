import type { Response } from 'express';

/** The contract's success envelope. */
export function send<T>(res: Response, data: T, status = 200): void {
  res.status(status).json({ success: true, data });
}

/**
 * One page of a list. The items stay the envelope's `data` (an array, as clients of these lists already read it);
 * the total matching the filter and the window asked for sit beside it in `meta`, e.g. `{totalTasks, limit, offset}`.
 */
export function sendPage<T>(res: Response, items: T[], meta: Record<string, number>): void {
  res.status(200).json({ success: true, data: items, meta });
}
