import type { Knex } from 'knex';
import type { PromotionWithUses } from '../domain/promotion';
import type { Promotion } from '../domain/promotion';
import { PAID_SESSION_STATUSES } from '../domain/session-status';

export type PromotionWrite = Omit<Promotion, 'id'>;

export const toPromotion = (row: Record<string, any>): Promotion => ({
  id: row.id,
  code: row.code,
  kind: row.kind,
  amountCents: row.amount_cents,
  percentOff: row.percent_off,
  minSubtotalCents: row.min_subtotal_cents,
  firstOrderOnly: row.first_order_only,
  perCustomerLimit: row.per_customer_limit,
  totalLimit: row.total_limit,
  startsAt: row.starts_at,
  endsAt: row.ends_at,
  active: row.active,
  description: row.description,
});

const toRow = (promotion: Partial<PromotionWrite>) => ({
  code: promotion.code,
  kind: promotion.kind,
  amount_cents: promotion.amountCents,
  percent_off: promotion.percentOff,
  min_subtotal_cents: promotion.minSubtotalCents,
  first_order_only: promotion.firstOrderOnly,
  per_customer_limit: promotion.perCustomerLimit,
  total_limit: promotion.totalLimit,
  starts_at: promotion.startsAt,
  ends_at: promotion.endsAt,
  active: promotion.active,
  description: promotion.description,
});

const USES = `(SELECT count(*)::int FROM promotion_redemptions r WHERE r.promotion_id = p.id AND r.status <> 'released') AS uses,
  (SELECT count(*)::int FROM promotion_redemptions r WHERE r.promotion_id = p.id AND r.status = 'redeemed') AS redeemed`;
const withUses = (row: Record<string, any>): PromotionWithUses => ({
  ...toPromotion(row),
  uses: row.uses,
  redeemed: row.redeemed,
});

/** Null when the code exists already. */
export async function insertPromotion(db: Knex, promotion: PromotionWrite): Promise<Promotion | null> {
  const [row] = await db('promotions').insert(toRow(promotion)).onConflict('code').ignore().returning('*');
  return row ? toPromotion(row) : null;
}

export async function updatePromotion(
  db: Knex,
  code: string,
  changes: Partial<PromotionWrite>,
): Promise<Promotion | null> {
  const [row] = await db('promotions')
    .where({ code })
    .update({ ...toRow(changes), updated_at: db.fn.now() })
    .returning('*');
  return row ? toPromotion(row) : null;
}

export async function findPromotionByCode(db: Knex, code: string): Promise<PromotionWithUses | null> {
  const row = await db('promotions as p').where('p.code', code).first('p.*', db.raw(USES));
  return row ? withUses(row) : null;
}

export async function listPromotions(
  db: Knex,
  limit: number,
  offset: number,
): Promise<{ rows: PromotionWithUses[]; total: number }> {
  const [rows, [{ count }]] = await Promise.all([
    db('promotions as p')
      .orderBy('p.created_at', 'desc')
      .orderBy('p.code')
      .limit(limit)
      .offset(offset)
      .select('p.*', db.raw(USES)),
    db('promotions').count<{ count: string }[]>('* as count'),
  ]);
  return { rows: rows.map(withUses), total: Number(count) };
}

/** Live uses of a code, by everyone and by one shopper (held ones count: their checkout is being paid). */
export async function countUses(
  db: Knex,
  promotionId: string,
  userId: string,
): Promise<{ totalUses: number; customerUses: number }> {
  const row = await db('promotion_redemptions')
    .where({ promotion_id: promotionId })
    .whereNot({ status: 'released' })
    .first(db.raw('count(*)::int AS total'), db.raw('count(*) FILTER (WHERE user_id = ?)::int AS mine', [userId]));
  return { totalUses: row.total, customerUses: row.mine };
}

/** Whether the shopper has paid for a checkout before (a first-order code is for those who have not). */
export async function hasPaidCheckout(db: Knex, userId: string): Promise<boolean> {
  const row = await db('checkout_sessions')
    .where({ user_id: userId })
    .whereIn('status', PAID_SESSION_STATUSES)
    .first(db.raw('1 AS paid'));
  return row !== undefined;
}

export async function setCartPromotion(db: Knex, userId: string, promotionId: string, now: Date): Promise<void> {
  await db('cart_promotions')
    .insert({ user_id: userId, promotion_id: promotionId, applied_at: now })
    .onConflict('user_id')
    .merge(['promotion_id', 'applied_at']);
}

export async function clearCartPromotion(db: Knex, userId: string): Promise<void> {
  await db('cart_promotions').where({ user_id: userId }).delete();
}

export async function findCartPromotion(db: Knex, userId: string): Promise<Promotion | null> {
  const row = await db('cart_promotions as cp')
    .join('promotions as p', 'p.id', 'cp.promotion_id')
    .where('cp.user_id', userId)
    .first('p.*');
  return row ? toPromotion(row) : null;
}
