import { createSecretKey } from 'node:crypto';
import type { Server } from 'node:http';
import { Queue, type JobsOptions } from 'bullmq';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import jwt from 'jsonwebtoken';
import Stripe from 'stripe';
import {
  newCartLineId,
  newOrderNumber,
  newSessionId,
  presentCart,
  presentPlaceResult,
  presentSession,
  SESSION_TOTAL_CENTS,
  type CartLine,
  type FloorSession,
} from './floor-answers';
import { createFloorTable, openFloorSql } from './floor-sql';

/**
 * The floor server of `npm run bench:floor`: the least any implementation of the six checkout requests has to do
 * on the mandated stack, so its CPU per checkout is a floor for the service's. Per request: express 5 with
 * express.json() and an HS256 JWT check, a JSON answer of the service's size. Per step, as many Postgres round trips
 * as the service makes (named prepared statements on a tiny scratch table, so the round trips count but our
 * schema's work does not; FLOOR_SQL=none makes none). On place, the Stripe charge the service makes through
 * stripe-node (one PaymentIntent create with confirm, same options and idempotency key) and one BullMQ addBulk of
 * the two store orders. No logging below warnings, no metrics, no validation beyond what routing needs.
 *
 * Environment: PORT, JWT_SECRET, STRIPE_API_URL, REDIS_URL, FLOOR_QUEUE_NAME, FLOOR_SQL (trivial | none),
 * DATABASE_URL and DATABASE_POOL_MAX (20, the service's default) when FLOOR_SQL is trivial.
 */

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`floor server: ${name} is required`);
  return value;
};
const useSql = env('FLOOR_SQL', 'trivial') !== 'none';

const database = openFloorSql(
  useSql ? env('DATABASE_URL') : null,
  Number(env('DATABASE_POOL_MAX', '20')),
  'floor server',
);
const sql = database.run;

const stripeUrl = new URL(env('STRIPE_API_URL'));
// The options src/payments/stripe-gateway.ts gives stripe-node.
const stripe = new Stripe('sk_test_floor', {
  host: stripeUrl.hostname,
  port: Number(stripeUrl.port),
  protocol: 'http',
  timeout: 20_000,
  maxNetworkRetries: 2,
  telemetry: false,
});

const queue = new Queue(env('FLOOR_QUEUE_NAME'), { connection: { url: env('REDIS_URL') } });
queue.on('error', (err) => console.warn('floor server: queue error', err));
const WEEK_S = 7 * 24 * 60 * 60;
// The job options of src/queue/bullmq-placement-queue.ts.
const JOB_OPTIONS: JobsOptions = {
  attempts: 6,
  backoff: { type: 'placement' },
  removeOnComplete: { age: WEEK_S },
  removeOnFail: { age: WEEK_S },
};

const carts = new Map<string, CartLine[]>();
const sessions = new Map<string, FloorSession>();

function authenticate(secret: string): RequestHandler {
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  return (req, res, next) => {
    const match = req.headers.authorization?.match(/^Bearer\s+(\S+)$/i);
    try {
      const claims = match ? jwt.verify(match[1]!, key, { algorithms: ['HS256'] }) : null;
      if (!claims || typeof claims !== 'object' || typeof claims.sub !== 'string') throw new Error('no subject');
      res.locals.userId = claims.sub;
      next();
    } catch {
      res.status(401).json({ success: false, error: { code: 'unauthorized', message: 'Invalid or expired token' } });
    }
  };
}

function ownSession(userId: string, sessionId: string | string[] | undefined): FloorSession {
  const session = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
  if (!session || session.userId !== userId) throw Object.assign(new Error('no such session'), { status: 404 });
  return session;
}

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.use(express.json({ limit: '100kb' }));
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});

const api = express.Router();
api.use(authenticate(env('JWT_SECRET')));

api.post('/cart/items', async (req, res) => {
  const userId: string = res.locals.userId;
  const { storeSlug, sku, quantity } = req.body as { storeSlug: string; sku: string; quantity: number };
  await sql('write', [`${userId}:cart:${storeSlug}:${sku}`, quantity]);
  await sql('read', [`${userId}:cart:${storeSlug}:${sku}`]);
  const lines = carts.get(userId) ?? [];
  lines.push({ id: newCartLineId(), storeSlug, sku, quantity });
  carts.set(userId, lines);
  res.status(201).json({ success: true, data: presentCart(lines) });
});

api.post('/checkout/sessions', async (_req, res) => {
  const userId: string = res.locals.userId;
  const session: FloorSession = {
    id: newSessionId(),
    userId,
    createdAt: new Date(),
    shippingAddress: null,
    paymentMethodId: null,
  };
  await sql('read', [`${userId}:cart`]);
  await sql('write', [`${userId}:session`, 1]);
  sessions.set(session.id, session);
  res.status(201).json({ success: true, data: presentSession(session) });
});

api.put('/checkout/sessions/:sessionId/shipping', async (req, res) => {
  const session = ownSession(res.locals.userId, req.params.sessionId);
  await sql('read', [`${session.userId}:session`]);
  await sql('write', [`${session.userId}:session`, 2]);
  session.shippingAddress = req.body as Record<string, unknown>;
  res.json({ success: true, data: presentSession(session) });
});

api.put('/checkout/sessions/:sessionId/payment', async (req, res) => {
  const session = ownSession(res.locals.userId, req.params.sessionId);
  await sql('write', [`${session.userId}:session`, 3]);
  session.paymentMethodId = (req.body as { paymentMethodId: string }).paymentMethodId;
  res.json({ success: true, data: presentSession(session) });
});

// The service's order: claim the idempotency key, claim the session, charge, one statement for the session, ledger,
// orders and cart, enqueue the placements, then record the idempotent answer.
api.post('/checkout/sessions/:sessionId/place', async (req, res) => {
  const session = ownSession(res.locals.userId, req.params.sessionId);
  const idempotencyKey = req.get('Idempotency-Key');
  if (!idempotencyKey) throw Object.assign(new Error('Idempotency-Key required'), { status: 400 });
  const userId = session.userId;
  await sql('write', [`${userId}:idempotency`, 0]);
  await sql('write', [`${userId}:session`, 4]);
  const intent = await stripe.paymentIntents.create(
    {
      amount: SESSION_TOTAL_CENTS,
      currency: 'usd',
      payment_method: session.paymentMethodId!,
      confirm: true,
      capture_method: 'automatic',
      allowed_payment_method_types: ['card'],
      description: `Checkout ${session.id}`,
      metadata: { checkout_session_id: session.id, user_id: userId, attempt: '1' },
    },
    { idempotencyKey: `${session.id}:charge:1` },
  );
  if (intent.status !== 'succeeded') throw new Error(`PaymentIntent ${intent.id} is ${intent.status}`);
  const orderNumbers = [newOrderNumber(), newOrderNumber()];
  // The service writes session, ledger, orders and cart in one statement.
  await sql('write', [`${userId}:paid`, SESSION_TOTAL_CENTS]);
  carts.delete(userId);
  sessions.delete(session.id);
  await queue.addBulk(
    orderNumbers.map((orderNumber, i) => ({
      name: 'place',
      data: { orderNumber, storeId: `store-${i}` },
      opts: { ...JOB_OPTIONS, jobId: orderNumber },
    })),
  );
  await sql('write', [`${userId}:idempotency`, 201]);
  res.status(201).json({ success: true, data: presentPlaceResult(session, intent.id, orderNumbers) });
});

app.use('/api/v1', api);

const onError: ErrorRequestHandler = (error: Error & { status?: number }, _req, res, _next) => {
  const status = error.status ?? 500;
  if (status >= 500) console.warn('floor server: request failed', error);
  res
    .status(status)
    .json({ success: false, error: { code: status >= 500 ? 'internal' : 'bad_request', message: error.message } });
};
app.use(onError);

async function main(): Promise<void> {
  const { pool } = database;
  if (pool) await createFloorTable((text) => pool.query(text));
  const server: Server = app.listen(Number(env('PORT')), '127.0.0.1');
  const stop = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.allSettled([queue.close(), database.end()]);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
