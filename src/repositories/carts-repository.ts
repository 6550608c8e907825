import type { Knex } from 'knex';
import { hotQuery } from '../db/hot-query';
import { prepared } from '../db/prepared';
import type { LineVariant } from '../domain/line-item';
import type { PlacementMethod } from '../domain/placement-method';
import { variantColumns, variantFromRow } from './variant-columns';
import type { Promotion } from '../domain/promotion';
import { toPromotion } from './promotions-repository';
import { shippingSettingsOf, type StoreShippingSettings } from './shipping-options-repository';

/** A cart line joined with its product and store, as pricing and the cart view need it. */
export interface CartLine extends LineVariant {
  id: string;
  productId: string;
  storeId: string;
  storeSlug: string;
  storeName: string;
  storeCurrency: string;
  placementMethod: PlacementMethod;
  shippingFlatCents: number;
  shippingFreeAboveCents: number | null;
  sku: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
  /** The price when the shopper added the line (or last added to it); null for lines older than that record. */
  addedUnitPriceCents: number | null;
  available: boolean;
  productUrl: string | null;
  imageUrl: string | null;
}

export async function findCartId(db: Knex, userId: string): Promise<string | null> {
  const row = await db('carts').where({ user_id: userId }).first('id');
  return row?.id ?? null;
}

export async function listCartLines(db: Knex, userId: string): Promise<CartLine[]> {
  return (await readCart(db, userId)).lines;
}

/** The shopper's cart as one read: its lines, the promo code applied to it and the shipping settings of its stores. */
export interface CartContents {
  lines: CartLine[];
  promotion: Promotion | null;
  /** Store id → the store's shipping settings (its options and where checkouts take them from), for the lines' stores. */
  shipping: Map<string, StoreShippingSettings>;
}

const PROMOTION_COLUMNS = [
  'id',
  'code',
  'kind',
  'amount_cents',
  'percent_off',
  'min_subtotal_cents',
  'first_order_only',
  'per_customer_limit',
  'total_limit',
  'starts_at',
  'ends_at',
  'active',
  'description',
];

/**
 * One round trip for what a cart view and a new checkout session read (it was three: lines, code, shipping settings).
 * The lines are joined to a one-row seed, so a cart with a code and no lines still answers its code.
 */
export async function readCart(db: Knex, userId: string): Promise<CartContents> {
  const { rows } = await hotQuery(
    db,
    'carts.read',
    `SELECT l.*, ${PROMOTION_COLUMNS.map((column) => `pr.${column} AS promo_${column}`).join(', ')}
       FROM (SELECT ?::text AS user_id) u
       LEFT JOIN LATERAL (
         SELECT ci.id, ci.product_id, ci.size, ci.color, ci.quantity, ci.added_unit_price_cents, ci.created_at, p.store_id, p.sku,
                p.name, p.price_cents, p.available, p.product_url, p.image_url, s.slug AS store_slug, s.name AS store_name,
                s.currency AS store_currency, s.placement_method, s.shipping_flat_cents, s.shipping_free_above_cents,
                s.shipping_options, s.shipping_options_source
         FROM cart_items ci JOIN carts c ON c.id = ci.cart_id JOIN products p ON p.id = ci.product_id JOIN stores s ON s.id = p.store_id
         WHERE c.user_id = u.user_id
       ) l ON true
       LEFT JOIN LATERAL (
         SELECT ${PROMOTION_COLUMNS.map((column) => `p.${column}`).join(', ')} FROM cart_promotions cp JOIN promotions p ON p.id = cp.promotion_id WHERE cp.user_id = u.user_id LIMIT 1
       ) pr ON true
       ORDER BY l.store_name, l.created_at, l.id`,
    [userId],
  );
  const first = rows[0];
  const promotion = first?.promo_id
    ? toPromotion(Object.fromEntries(PROMOTION_COLUMNS.map((column) => [column, first[`promo_${column}`]])))
    : null;
  const lineRows = rows.filter((row: Record<string, any>) => row.id !== null);
  return {
    promotion,
    shipping: new Map(
      lineRows.map((row: Record<string, any>) => [
        row.store_id,
        shippingSettingsOf(row as Parameters<typeof shippingSettingsOf>[0]),
      ]),
    ),
    lines: lineRows.map((row: Record<string, any>) => ({
      id: row.id,
      productId: row.product_id,
      storeId: row.store_id,
      storeSlug: row.store_slug,
      storeName: row.store_name,
      storeCurrency: row.store_currency,
      placementMethod: row.placement_method,
      shippingFlatCents: row.shipping_flat_cents,
      shippingFreeAboveCents: row.shipping_free_above_cents,
      sku: row.sku,
      name: row.name,
      ...variantFromRow(row),
      quantity: row.quantity,
      unitPriceCents: row.price_cents,
      addedUnitPriceCents: row.added_unit_price_cents,
      available: row.available,
      productUrl: row.product_url,
      imageUrl: row.image_url,
    })),
  };
}

export interface AddedCartItem {
  /** The product with this sku at the store with this slug; null when there is none. */
  product: { sku: string; name: string; available: boolean; priceCents: number } | null;
  /** The line as it now is; null, and nothing changed, when the product is missing or unavailable or a limit is hit. */
  line: { id: string; quantity: number } | null;
  /** The cart before this add: its lines, its subtotal and whether it already had this product and variant. */
  before: { lines: number; subtotalCents: number; hasLine: boolean };
}

export interface CartLimits {
  maxQuantity: number;
  maxLines: number;
  maxSubtotalCents: number;
}

/**
 * Adds to the user's line with the same product and variant (the line then remembers today's price: the shopper has
 * just seen it), creating the cart on first use: the product lookup,
 * the cart and the line are one statement (one round trip instead of three). Nothing is written unless the product
 * exists and is available. The line is left as it was when it would then hold more than `maxQuantity`, and nothing is
 * added past the cart's line count or subtotal limits (two concurrent adds may both pass those two; the checkout
 * total is checked again, exactly, when a session is made).
 */
export async function addCartItem(
  db: Knex,
  userId: string,
  item: { storeSlug: string; sku: string; quantity: number } & LineVariant,
  limits: CartLimits,
): Promise<AddedCartItem> {
  const variant = variantColumns(item);
  const { rows } = await prepared(
    'cart_items.add',
    db.raw(
      `WITH product AS (
         SELECT p.id, p.sku, p.name, p.available, p.price_cents
         FROM products p JOIN stores s ON s.id = p.store_id
         WHERE s.slug = ? AND p.sku = ?
       ), usage AS (
         SELECT count(ci.id)::integer AS lines,
                coalesce(sum(ci.quantity::bigint * cp.price_cents), 0)::bigint AS subtotal,
                coalesce(bool_or(ci.product_id = (SELECT id FROM product) AND ci.size = ?::text AND ci.color = ?::text), false) AS has_line
         FROM carts c JOIN cart_items ci ON ci.cart_id = c.id JOIN products cp ON cp.id = ci.product_id
         WHERE c.user_id = ?::text
       ), cart AS (
         INSERT INTO carts (user_id) SELECT ?::text FROM product CROSS JOIN usage
         WHERE product.available AND (usage.has_line OR usage.lines < ?::integer)
           AND usage.subtotal + ?::bigint * product.price_cents <= ?::bigint
         ON CONFLICT (user_id) DO UPDATE SET updated_at = now()
         RETURNING id
       ), line AS (
         INSERT INTO cart_items (cart_id, product_id, size, color, quantity, added_unit_price_cents)
         SELECT cart.id, product.id, ?::text, ?::text, ?::integer, product.price_cents FROM cart CROSS JOIN product
         ON CONFLICT (cart_id, product_id, size, color) DO UPDATE
           SET quantity = cart_items.quantity + EXCLUDED.quantity, added_unit_price_cents = EXCLUDED.added_unit_price_cents
         WHERE cart_items.quantity + EXCLUDED.quantity <= ?::integer
         RETURNING id, quantity
       )
       SELECT product.sku, product.name, product.available, product.price_cents, line.id AS line_id, line.quantity AS line_quantity,
              usage.lines, usage.subtotal, usage.has_line
       FROM product CROSS JOIN usage LEFT JOIN line ON true`,
      [
        item.storeSlug,
        item.sku,
        variant.size,
        variant.color,
        userId,
        userId,
        limits.maxLines,
        item.quantity,
        limits.maxSubtotalCents,
        variant.size,
        variant.color,
        item.quantity,
        limits.maxQuantity,
      ],
    ),
  );
  const row = rows[0];
  if (!row) return { product: null, line: null, before: { lines: 0, subtotalCents: 0, hasLine: false } };
  return {
    product: { sku: row.sku, name: row.name, available: row.available, priceCents: row.price_cents },
    line: row.line_id ? { id: row.line_id, quantity: row.line_quantity } : null,
    before: { lines: row.lines, subtotalCents: Number(row.subtotal), hasLine: row.has_line },
  };
}

export async function setCartItemQuantity(
  db: Knex,
  userId: string,
  itemId: string,
  quantity: number,
): Promise<boolean> {
  const updated = await db('cart_items')
    .where({ id: itemId })
    .whereIn('cart_id', db('carts').select('id').where({ user_id: userId }))
    .update({ quantity });
  return updated > 0;
}

export async function removeCartItem(db: Knex, userId: string, itemId: string): Promise<boolean> {
  const deleted = await db('cart_items')
    .where({ id: itemId })
    .whereIn('cart_id', db('carts').select('id').where({ user_id: userId }))
    .delete();
  return deleted > 0;
}

export async function clearCart(db: Knex, userId: string): Promise<void> {
  await db('cart_items')
    .whereIn('cart_id', db('carts').select('id').where({ user_id: userId }))
    .delete();
}
