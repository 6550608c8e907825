import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import { Router, type Request, type RequestHandler } from 'express';
import { authenticate, principalOf, requireRole } from '../http/auth';
import { DomainError } from '../domain/errors';
import { send } from '../http/respond';

export const QUEUE_BOARD_PATH = '/ops/queues';
const COOKIE = 'ops_queues_token';

/** One Bull Board over the queues, read-only or with retry/clean/pause actions. */
function board(queues: readonly Queue[], readOnlyMode: boolean): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode, allowRetries: !readOnlyMode })),
    serverAdapter,
    options: { uiConfig: { boardTitle: readOnlyMode ? 'Placement queue (read only)' : 'Placement queue' } },
  });
  return serverAdapter.getRouter() as Router;
}

function tokenCookie(req: Request): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/**
 * Bull Board under the ops dashboard, behind the same sign-in. The board is a page of its own whose requests carry
 * no bearer header, so the dashboard trades its token for an HttpOnly, SameSite=Strict cookie scoped to this path
 * (`POST /ops/queues/session`); every request is then checked exactly like an API call. Ops get a read-only board,
 * admins one that can retry and clean; a write from ops is refused even if it bypasses the UI.
 */
export function queueBoardRoutes(queues: readonly Queue[], jwtSecret: string): Router {
  const router = Router();
  const verify = authenticate(jwtSecret);
  const fromCookie: RequestHandler = (req, _res, next) => {
    if (!req.headers.authorization) {
      const token = tokenCookie(req);
      if (token) req.headers.authorization = `Bearer ${token}`;
    }
    next();
  };
  router.use(fromCookie, verify, requireRole('ops'));

  router.post('/session', (req, res) => {
    const token = req.headers.authorization!.replace(/^Bearer\s+/i, '');
    res.cookie(COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      path: QUEUE_BOARD_PATH,
      secure: req.secure,
      maxAge: 8 * 60 * 60_000,
    });
    send(res, { board: `${QUEUE_BOARD_PATH}/`, readOnly: principalOf(req).role !== 'admin' });
  });
  router.delete('/session', (_req, res) => {
    res.clearCookie(COOKIE, { path: QUEUE_BOARD_PATH });
    send(res, { signedOut: true });
  });

  if (queues.length === 0) {
    router.use((_req, _res, next) =>
      next(new DomainError('not_found', 'No queue to show: placement runs in-process (set REDIS_URL)')),
    );
    return router;
  }
  const readOnly = board(queues, true);
  const full = board(queues, false);
  router.use((req, res, next) => {
    const admin = principalOf(req).role === 'admin';
    if (!admin && req.method !== 'GET' && req.method !== 'HEAD')
      return next(new DomainError('forbidden', 'Queue actions need the admin role'));
    (admin ? full : readOnly)(req, res, next);
  });
  return router;
}
