import type { Knex } from 'knex';
import type { PlacementMethod } from '../placement/placement-adapter';

/** A cart line joined with its product and store, as pricing and the cart view need it. */
export interface CartLine {
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
  size: string;
  color: string;
  quantity: number;
  unitPriceCents: number;
  available: boolean;
  productUrl: string | null;
  imageUrl: string | null;
}

/** Returns the user's cart id, creating the cart on first use. */
export async function ensureCart(db: Knex, userId: string): Promise<string> {
  const [row] = await db('carts')
    .insert({ user_id: userId })
    .onConflict('user_id')
    .merge({ updated_at: db.fn.now() })
    .returning('id');
  return row.id;
}

export async function findCartId(db: Knex, userId: string): Promise<string | null> {
  const row = await db('carts').where({ user_id: userId }).first('id');
  return row?.id ?? null;
}

export async function listCartLines(db: Knex, userId: string): Promise<CartLine[]> {
  const rows = await db('cart_items as ci')
    .join('carts as c', 'c.id', 'ci.cart_id')
    .join('products as p', 'p.id', 'ci.product_id')
    .join('stores as s', 's.id', 'p.store_id')
    .where('c.user_id', userId)
    .orderBy([{ column: 's.name' }, { column: 'ci.created_at' }, { column: 'ci.id' }])
    .select(
      'ci.id',
      'ci.product_id',
      'ci.size',
      'ci.color',
      'ci.quantity',
      'p.store_id',
      'p.sku',
      'p.name',
      'p.price_cents',
      'p.available',
      'p.product_url',
      'p.image_url',
      's.slug as store_slug',
      's.name as store_name',
      's.currency as store_currency',
      's.placement_method',
      's.shipping_flat_cents',
      's.shipping_free_above_cents',
    );
  return rows.map((row) => ({
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
    size: row.size,
    color: row.color,
    quantity: row.quantity,
    unitPriceCents: row.price_cents,
    available: row.available,
    productUrl: row.product_url,
    imageUrl: row.image_url,
  }));
}

/**
 * Adds to the line with the same product and variant. Null, and nothing changed, when the line would then hold
 * more than `maxQuantity`: the check and the write are one statement, so two concurrent adds cannot both pass it.
 */
export async function addCartItem(
  db: Knex,
  cartId: string,
  item: { productId: string; size: string; color: string; quantity: number },
  maxQuantity: number,
): Promise<{ id: string; quantity: number } | null> {
  const [row] = await db('cart_items')
    .insert({ cart_id: cartId, product_id: item.productId, size: item.size, color: item.color, quantity: item.quantity })
    .onConflict(['cart_id', 'product_id', 'size', 'color'])
    .merge({ quantity: db.raw('cart_items.quantity + EXCLUDED.quantity') })
    .where(db.raw('cart_items.quantity + EXCLUDED.quantity <= ?', [maxQuantity]))
    .returning(['id', 'quantity']);
  return row ?? null;
}

export async function setCartItemQuantity(db: Knex, userId: string, itemId: string, quantity: number): Promise<boolean> {
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
  await db('cart_items').whereIn('cart_id', db('carts').select('id').where({ user_id: userId })).delete();
}

/** Removes the lines a placed checkout bought; lines added after the snapshot stay. */
export async function removeCartItems(db: Knex, userId: string, itemIds: readonly string[]): Promise<void> {
  if (itemIds.length === 0) return;
  await db('cart_items')
    .whereIn('id', itemIds)
    .whereIn('cart_id', db('carts').select('id').where({ user_id: userId }))
    .delete();
}
