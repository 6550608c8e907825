import { randomBytes } from 'node:crypto';

/**
 * The floor server's JSON answers: the contract's shapes (src/controllers/presenters.ts) at the size the service
 * answers for the benchmark's checkout (two stores, one line each: cart 332/582 bytes, session ≈1.3–1.4 kB, place
 * ≈0.5 kB), filled from what the request carried and otherwise fixed, since building them is not what is measured.
 */

export interface CartLine {
  id: string;
  storeSlug: string;
  sku: string;
  quantity: number;
}

export interface FloorSession {
  id: string;
  userId: string;
  createdAt: Date;
  shippingAddress: Record<string, unknown> | null;
  paymentMethodId: string | null;
}

const STORE_IDS = ['8e49a85a-16ea-45ce-bd81-e98944c030a4', '0ee1b727-c398-48c1-b3f5-cc7cd4f1f5d9'];
const SESSION_TTL_MS = 30 * 60_000;

const snapshotStore = (index: number, quantity: number) => ({
  items: [
    {
      sku: `SKU-${index + 1}`,
      name: `Product ${index + 1}`,
      size: null,
      color: null,
      imageUrl: null,
      quantity,
      productId: '7214496a-0891-4ad2-ac36-951b31d9640e',
      cartItemId: 'b47d7433-de34-4be0-8012-cf59fafa0243',
      productUrl: null,
      unitPriceCents: 1500,
      totalPriceCents: 1500 * quantity,
    },
  ],
  storeId: STORE_IDS[index]!,
  taxCents: 109 * quantity,
  storeName: `Bench store ${index + 1}`,
  storeSlug: `bench-store-${index + 1}`,
  totalCents: 1500 * quantity + 599 + 109 * quantity,
  shippingCents: 599,
  subtotalCents: 1500 * quantity,
  placementMethod: 'api',
});

const SNAPSHOT = {
  stores: [snapshotStore(0, 1), snapshotStore(1, 2)],
  summary: { taxCents: 327, itemCount: 3, totalCents: 6025, shippingCents: 1198, subtotalCents: 4500 },
  currency: 'usd',
};
export const SESSION_TOTAL_CENTS = SNAPSHOT.summary.totalCents;

export const newCartLineId = () =>
  randomBytes(16)
    .toString('hex')
    .replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
export const newSessionId = () => `cs_${randomBytes(18).toString('base64url')}`;
export const newOrderNumber = () => `MO-${randomBytes(8).toString('hex').slice(0, 10).toUpperCase()}`;

export const presentCart = (lines: readonly CartLine[]) => ({
  items: lines.map((line, i) => ({
    id: line.id,
    storeId: STORE_IDS[i % 2]!,
    storeName: line.storeSlug,
    sku: line.sku,
    name: `Product ${line.sku}`,
    size: null,
    color: null,
    quantity: line.quantity,
    unitPriceCents: 1500,
    totalPriceCents: 1500 * line.quantity,
    available: true,
  })),
  summary: { itemCount: lines.reduce((sum, line) => sum + line.quantity, 0), subtotalCents: 4500 },
});

export const presentSession = (session: FloorSession) => ({
  sessionId: session.id,
  status: 'pending',
  cartSnapshot: SNAPSHOT,
  shippingAddress: session.shippingAddress,
  paymentMethodId: session.paymentMethodId,
  paymentIntentId: null,
  expiresAt: new Date(session.createdAt.getTime() + SESSION_TTL_MS).toISOString(),
  createdAt: session.createdAt.toISOString(),
});

export const presentPlaceResult = (
  session: FloorSession,
  paymentIntentId: string,
  orderNumbers: readonly string[],
) => ({
  checkoutSessionId: session.id,
  paymentIntentId,
  chargedCents: SESSION_TOTAL_CENTS,
  orders: orderNumbers.map((orderNumber, i) => ({
    orderNumber,
    storeId: STORE_IDS[i % 2]!,
    storeName: SNAPSHOT.stores[i % 2]!.storeName,
    placementMethod: 'api',
    status: 'pending',
    totalCents: SNAPSHOT.stores[i % 2]!.totalCents,
  })),
  summary: { totalOrders: orderNumbers.length },
});
