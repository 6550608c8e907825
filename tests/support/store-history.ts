import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';

type Method = 'api' | 'headless' | 'manual';
type Outcome = 'placed' | 'deferred' | 'transient_error' | 'permanent_error' | 'price_mismatch';

export interface SeedOrder {
  storeId: string;
  /** The order's method now (after any fallback). */
  method: Method;
  status: 'pending' | 'placing' | 'placed' | 'failed';
  totalCents?: number;
  /** How long ago the checkout was placed. */
  ageSeconds: number;
  /** For placed orders: place → placed. */
  placedAfterSeconds?: number;
  failureReason?: string;
  attempts?: Array<{
    method: Method;
    outcome: Outcome;
    errorCode?: string;
    message?: string;
    details?: Record<string, unknown>;
  }>;
  task?: { kind: 'place_order' | 'price_review'; status: 'open' | 'done' };
  placementRefundCents?: number;
}

const orderNumber = () => `MO-${randomBytes(5).toString('hex').toUpperCase()}`;

/** Writes orders with their history exactly as given: for checking the health figures against a hand count. */
export async function seedOrderHistory(db: Knex, orders: SeedOrder[]): Promise<string[]> {
  const numbers: string[] = [];
  for (const seed of orders) {
    const total = seed.totalCents ?? 2500;
    const createdAt = db.raw(`now() - make_interval(secs => ?)`, [seed.ageSeconds]);
    const sessionId = `cs_seed${randomBytes(6).toString('hex')}`;
    await db('checkout_sessions').insert({
      id: sessionId,
      user_id: 'seed-shopper',
      status: 'completed',
      cart_snapshot: '{}',
      subtotal_cents: total,
      shipping_cents: 0,
      tax_cents: 0,
      total_cents: total,
      payment_intent_id: `pi_${sessionId}`,
      expires_at: db.raw('now()'),
      created_at: createdAt,
    });
    const number = orderNumber();
    numbers.push(number);
    const placed = seed.status === 'placed';
    const [{ id }] = await db('orders')
      .insert({
        order_number: number,
        checkout_session_id: sessionId,
        store_id: seed.storeId,
        user_id: 'seed-shopper',
        status: seed.status,
        placement_method: seed.method,
        subtotal_cents: total,
        shipping_cents: 0,
        tax_cents: 0,
        total_cents: total,
        shipping_address: '{}',
        store_order_number: placed ? `R-${number}` : null,
        failure_reason: seed.failureReason ?? null,
        created_at: createdAt,
        placed_at: placed
          ? db.raw(`now() - make_interval(secs => ?)`, [seed.ageSeconds - (seed.placedAfterSeconds ?? 0)])
          : null,
      })
      .returning('id');
    for (const [index, attempt] of (seed.attempts ?? []).entries()) {
      await db('placement_attempts').insert({
        order_id: id,
        method: attempt.method,
        attempt: index + 1,
        outcome: attempt.outcome,
        error_code: attempt.errorCode ?? null,
        message: attempt.message ?? null,
        details: JSON.stringify(attempt.details ?? {}),
        duration_ms: 100,
        created_at: createdAt,
      });
    }
    if (seed.task) {
      await db('ops_tasks').insert({
        id: `task_${randomBytes(6).toString('hex')}`,
        order_id: id,
        kind: seed.task.kind,
        status: seed.task.status,
        payload: '{}',
        store_order_number: seed.task.status === 'done' ? `R-${number}` : null,
      });
    }
    if (seed.placementRefundCents) {
      await db('payment_transactions').insert({
        checkout_session_id: sessionId,
        order_id: id,
        type: 'refund',
        status: 'succeeded',
        amount_cents: seed.placementRefundCents,
        idempotency_key: `${number}:refund:placement-failed:0`,
      });
    }
  }
  return numbers;
}
