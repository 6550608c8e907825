import type { SpaMode } from './spa-mode';
import { randomBytes, randomInt } from 'node:crypto';
import { applyBasisPoints, sumCents } from '../../domain/money';

export interface DemoProductInput {
  sku: string;
  name: string;
  priceCents: number;
  sizes?: string[];
  colors?: string[];
  /** Units on hand; unlimited when omitted. */
  stock?: number;
}

export interface DemoAddress {
  name: string;
  address1: string;
  address2?: string;
  city: string;
  state: string;
  zip: string;
  phone: string;
}

export interface DemoOrderLine {
  sku: string;
  name: string;
  size?: string;
  color?: string;
  quantity: number;
  unitPriceCents: number;
  lineTotalCents: number;
}

export interface DemoTotals {
  subtotalCents: number;
  taxCents: number;
  shippingCents: number;
  totalCents: number;
}

export interface DemoOrder extends DemoTotals {
  /** The retailer's order number, `DO-` + 8 digits. */
  confirmationNumber: string;
  /** What the buyer typed into "Order reference / note": our order number. */
  reference: string;
  username: string;
  placedAt: string;
  items: DemoOrderLine[];
  address: DemoAddress;
  cardLast4: string;
}

export type StorefrontVariant = 'normal' | 'changed-button';

export interface CartLine {
  sku: string;
  size?: string;
  color?: string;
  quantity: number;
}

export interface ShopperSession {
  id: string;
  username?: string;
  cart: CartLine[];
  checkout?: { address: DemoAddress; reference: string; cardLast4: string };
}

/** The faults and conditions a test can switch on, in-process or over `/_store/*`. */
export interface StoreSwitches {
  latencyMs: number;
  variant: StorefrontVariant;
  failingCheckouts: number;
  crashAfterNextOrder: boolean;
  /** Single-page-app behaviour (spa-mode.ts); off when undefined. */
  spa?: SpaMode;
}

export type PlaceOrderResult =
  | { kind: 'placed'; order: DemoOrder }
  | { kind: 'refused'; status: number; reason: 'no-checkout' | 'out-of-stock'; message: string };

export interface StoreStateOptions {
  products: DemoProductInput[];
  taxBasisPoints: number;
  shippingCents: number;
}

export type StoreState = ReturnType<typeof createStoreState>;

/** The whole shop in memory: catalog, sessions, carts, orders and the test switches. */
export function createStoreState({ products, taxBasisPoints, shippingCents }: StoreStateOptions) {
  const catalog = new Map(products.map((product) => [product.sku, { ...product }]));
  const listPrices = new Map(products.map((product) => [product.sku, product.priceCents]));
  const outOfStock = new Set<string>();
  const sessions = new Map<string, ShopperSession>();
  const placed: DemoOrder[] = [];
  const switches: StoreSwitches = { latencyMs: 0, variant: 'normal', failingCheckouts: 0, crashAfterNextOrder: false };

  const unitsAvailable = (sku: string): number => {
    const product = catalog.get(sku);
    if (!product || outOfStock.has(sku)) return 0;
    return product.stock ?? Number.POSITIVE_INFINITY;
  };

  const priceLines = (cart: readonly CartLine[]): DemoOrderLine[] =>
    cart.flatMap((line) => {
      const product = catalog.get(line.sku);
      if (!product) return [];
      const { sku, size, color, quantity } = line;
      return [
        {
          sku,
          name: product.name,
          size,
          color,
          quantity,
          unitPriceCents: product.priceCents,
          lineTotalCents: product.priceCents * quantity,
        },
      ];
    });

  const totalsOf = (lines: readonly DemoOrderLine[]): DemoTotals => {
    const subtotalCents = sumCents(lines.map((line) => line.lineTotalCents));
    const taxCents = applyBasisPoints(subtotalCents, taxBasisPoints);
    const shipping = lines.length > 0 ? shippingCents : 0;
    return { subtotalCents, taxCents, shippingCents: shipping, totalCents: subtotalCents + taxCents + shipping };
  };

  const newConfirmationNumber = (): string => {
    for (;;) {
      const candidate = `DO-${randomInt(10_000_000, 100_000_000)}`;
      if (!placed.some((order) => order.confirmationNumber === candidate)) return candidate;
    }
  };

  return {
    switches,
    product: (sku: string) => catalog.get(sku),
    products: () => [...catalog.values()],
    unitsAvailable,
    priceLines,
    totalsOf,

    session(id: string | undefined): ShopperSession {
      const existing = id ? sessions.get(id) : undefined;
      if (existing) return existing;
      const created: ShopperSession = { id: randomBytes(18).toString('base64url'), cart: [] };
      sessions.set(created.id, created);
      return created;
    },

    /** Adds a line (merging equal variants); returns the shopper-facing problem, if any. */
    addToCart(session: ShopperSession, line: CartLine): string | undefined {
      const product = catalog.get(line.sku);
      if (!product) return 'That product does not exist.';
      if (product.sizes?.length && !product.sizes.includes(line.size ?? '')) return 'Please choose a size.';
      if (product.colors?.length && !product.colors.includes(line.color ?? '')) return 'Please choose a color.';
      if (!Number.isInteger(line.quantity) || line.quantity < 1)
        return 'Quantity must be a whole number of at least 1.';
      const same = session.cart.find((l) => l.sku === line.sku && l.size === line.size && l.color === line.color);
      const wanted = line.quantity + (same?.quantity ?? 0);
      if (wanted > unitsAvailable(line.sku)) return `Sorry, only ${unitsAvailable(line.sku)} left of ${product.name}.`;
      if (same) same.quantity = wanted;
      else session.cart.push({ ...line });
      return undefined;
    },

    placeOrder(session: ShopperSession, now: Date): PlaceOrderResult {
      const checkout = session.checkout;
      if (!session.username || !checkout || session.cart.length === 0) {
        return {
          kind: 'refused',
          status: 409,
          reason: 'no-checkout',
          message: 'Your session has no checkout in progress.',
        };
      }
      const unavailable = session.cart.find((line) => line.quantity > unitsAvailable(line.sku));
      if (unavailable) {
        return {
          kind: 'refused',
          status: 409,
          reason: 'out-of-stock',
          message: `${catalog.get(unavailable.sku)?.name ?? unavailable.sku} is out of stock.`,
        };
      }
      const items = priceLines(session.cart);
      for (const line of session.cart) {
        const product = catalog.get(line.sku);
        if (product?.stock !== undefined) product.stock -= line.quantity;
      }
      const order: DemoOrder = {
        confirmationNumber: newConfirmationNumber(),
        reference: checkout.reference,
        username: session.username,
        placedAt: now.toISOString(),
        items,
        address: checkout.address,
        cardLast4: checkout.cardLast4,
        ...totalsOf(items),
      };
      placed.push(order);
      session.cart = [];
      session.checkout = undefined;
      return { kind: 'placed', order };
    },

    orders: (): DemoOrder[] => structuredClone(placed),
    ordersOf: (username: string): DemoOrder[] => placed.filter((order) => order.username === username),
    order: (confirmationNumber: string) => placed.find((order) => order.confirmationNumber === confirmationNumber),

    setOutOfStock(sku: string, isOut: boolean): void {
      if (!catalog.has(sku)) throw new Error(`unknown sku ${sku}`);
      if (isOut) outOfStock.add(sku);
      else outOfStock.delete(sku);
    },

    setPrice(sku: string, cents: number): void {
      const product = catalog.get(sku);
      if (!product) throw new Error(`unknown sku ${sku}`);
      if (!Number.isSafeInteger(cents) || cents < 0) throw new RangeError(`bad price ${cents}`);
      product.priceCents = cents;
    },

    /** Back to the start: no faults, list prices, everything in stock. Orders and stock levels are kept. */
    reset(): void {
      Object.assign(switches, {
        latencyMs: 0,
        variant: 'normal',
        failingCheckouts: 0,
        crashAfterNextOrder: false,
        spa: undefined,
      });
      outOfStock.clear();
      for (const [sku, cents] of listPrices) catalog.get(sku)!.priceCents = cents;
    },
  };
}
