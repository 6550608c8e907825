import type { Request, Response } from 'express';
import { principalOf } from '../http/auth';
import { send } from '../http/respond';

/** Who the bearer token says the caller is, as the API sees it (verified, role defaulted), for clients to show. */
export function createMeController() {
  return {
    get(req: Request, res: Response) {
      const { userId, role } = principalOf(req);
      send(res, { userId, role });
    },
  };
}
