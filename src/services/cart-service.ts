import { DomainError, validationFailed } from '../domain/errors';
import { cartLimitExceeded, MAX_CART_LINES, MAX_LINE_QUANTITY, MAX_PAYMENT_CENTS } from '../domain/limits';
import { sumCents } from '../domain/money';
import * as carts from '../repositories/carts-repository';
import type { CartLine } from '../repositories/carts-repository';
import type { Promotion } from '../domain/promotion';
import type { ServiceDeps } from './service-deps';

export interface CartView {
  lines: CartLine[];
  itemCount: number;
  subtotalCents: number;
  /** The promo code applied to the cart; the checkout session prices it. */
  promotion: Promotion | null;
}

const LIMITS = { maxQuantity: MAX_LINE_QUANTITY, maxLines: MAX_CART_LINES, maxSubtotalCents: MAX_PAYMENT_CENTS };

const subtotalTooLarge = (subtotalCents: number) =>
  cartLimitExceeded(`The cart's subtotal may be at most ${MAX_PAYMENT_CENTS} cents, the largest payment accepted`, {
    limit: 'subtotal',
    subtotalCents,
    maxCents: MAX_PAYMENT_CENTS,
  });

/** The shopper's one cart across every store. Prices always come from the catalog, never the shopper. */
export function createCartService({ db }: ServiceDeps) {
  async function view(userId: string): Promise<CartView> {
    const { lines, promotion } = await carts.readCart(db, userId);
    return {
      promotion,
      lines,
      itemCount: sumCents(lines.map((line) => line.quantity)),
      subtotalCents: sumCents(lines.map((line) => line.unitPriceCents * line.quantity)),
    };
  }

  return {
    view,

    async addItem(
      userId: string,
      input: { storeSlug: string; sku: string; quantity: number; size?: string; color?: string },
    ): Promise<CartView> {
      const line = {
        storeSlug: input.storeSlug,
        sku: input.sku,
        size: input.size || null,
        color: input.color || null,
        quantity: input.quantity,
      };
      const { product, line: added, before } = await carts.addCartItem(db, userId, line, LIMITS);
      if (!product)
        throw new DomainError('product_not_found', `No product "${input.sku}" at store "${input.storeSlug}"`);
      if (!product.available)
        throw new DomainError('product_unavailable', `"${product.name}" is not available`, { sku: product.sku });
      if (added) return view(userId);
      if (!before.hasLine && before.lines >= MAX_CART_LINES) {
        throw cartLimitExceeded(`The cart may hold at most ${MAX_CART_LINES} different items`, {
          limit: 'lines',
          maxLines: MAX_CART_LINES,
        });
      }
      const subtotalCents = before.subtotalCents + product.priceCents * input.quantity;
      if (subtotalCents > MAX_PAYMENT_CENTS) throw subtotalTooLarge(subtotalCents);
      throw validationFailed({ quantity: `the cart may hold at most ${MAX_LINE_QUANTITY} of one item` });
    },

    async updateQuantity(userId: string, itemId: string, quantity: number): Promise<CartView> {
      const current = await view(userId);
      const changed = current.lines.find((line) => line.id === itemId);
      const subtotalCents =
        current.subtotalCents + (changed ? (quantity - changed.quantity) * changed.unitPriceCents : 0);
      if (subtotalCents > MAX_PAYMENT_CENTS) throw subtotalTooLarge(subtotalCents);
      if (!(await carts.setCartItemQuantity(db, userId, itemId, quantity)))
        throw new DomainError('not_found', 'Cart item not found');
      return view(userId);
    },

    async removeItem(userId: string, itemId: string): Promise<CartView> {
      if (!(await carts.removeCartItem(db, userId, itemId))) throw new DomainError('not_found', 'Cart item not found');
      return view(userId);
    },

    async clear(userId: string): Promise<CartView> {
      await carts.clearCart(db, userId);
      return view(userId);
    },
  };
}

export type CartService = ReturnType<typeof createCartService>;
