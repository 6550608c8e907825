import { FaultQueue } from './fault-queue';
import {
  decrementStock,
  findAddressProblem,
  findShortSku,
  priceItems,
  type RetailerPrice,
  type RetailerTerms,
} from './retailer-rules';
import type { CreateOrderBody, QuoteBody } from './schemas';
import {
  SimulatorError,
  type CatalogEntry,
  type RetailerRejectionCode,
  type RetailerSetup,
  type RetailerStats,
  type ShippingMethod,
  type SimulatedOrder,
} from './types';

export interface CatalogListing {
  sku: string;
  name: string;
  priceCents: number;
  available: boolean;
  imageUrl: string | null;
  productUrl: string | null;
}

export type Rejection = { kind: 'rejected'; code: RetailerRejectionCode; message: string };
export type OrderOutcome = { kind: 'created' | 'replayed'; order: SimulatedOrder } | Rejection;
export type QuoteOutcome = { kind: 'quoted'; price: RetailerPrice } | Rejection;

/** One retailer's in-memory shop: catalog, orders, counters and pending faults. Knows nothing of HTTP. */
export class SimulatedRetailer {
  readonly faults = new FaultQueue();
  readonly stats: RetailerStats = {
    requests: 0,
    orderRequests: 0,
    orderCreations: 0,
    orderReplays: 0,
    orderRejections: 0,
    lookups: 0,
    quotes: 0,
    productPages: 0,
    unauthorized: 0,
    faultsServed: 0,
  };
  latencyMs: number;
  private readonly expectedAuthorization: string;
  private readonly catalog: Map<string, CatalogEntry>;
  private readonly terms: RetailerTerms;
  private readonly rejectedZips: ReadonlySet<string>;
  readonly shippingMethods: readonly ShippingMethod[];
  private readonly orders: SimulatedOrder[] = [];
  private readonly ordersByKey = new Map<string, SimulatedOrder>();
  private readonly ordersByReference = new Map<string, SimulatedOrder[]>();

  constructor(
    readonly slug: string,
    setup: RetailerSetup,
    private readonly nextOrderNumber: () => string,
  ) {
    this.expectedAuthorization = `Bearer ${setup.apiKey}`;
    this.catalog = new Map(Object.entries(setup.catalog ?? {}).map(([sku, entry]) => [sku, { ...entry }]));
    this.terms = {
      taxBasisPoints: setup.taxBasisPoints ?? 0,
      shippingCents: setup.shippingCents ?? 0,
      strictCatalog: setup.strictCatalog ?? false,
    };
    this.rejectedZips = new Set(setup.rejectedZips ?? []);
    this.shippingMethods = setup.shippingMethods ?? [];
    this.latencyMs = setup.latencyMs ?? 0;
  }

  isAuthorized(authorization: string | undefined): boolean {
    return authorization === this.expectedAuthorization;
  }

  quote(body: QuoteBody): QuoteOutcome {
    const addressProblem = findAddressProblem(body.shippingAddress, this.rejectedZips);
    if (addressProblem) return reject('address_rejected', addressProblem);
    const terms = this.termsFor(body.shippingMethod);
    if (!terms) return reject('shipping_method_unavailable', `we do not ship by ${body.shippingMethod}`);
    const priced = priceItems(body.items, this.catalog, terms);
    if (priced.kind === 'unknown_sku') return reject('out_of_stock', `we do not sell ${priced.sku}`);
    return { kind: 'quoted', price: priced.price };
  }

  /** Same idempotency key → the first order again, whatever the body says (the key is the transaction). */
  createOrder(body: CreateOrderBody, idempotencyKey: string | undefined): OrderOutcome {
    const existing = idempotencyKey === undefined ? undefined : this.ordersByKey.get(idempotencyKey);
    if (existing) {
      this.stats.orderReplays += 1;
      return { kind: 'replayed', order: existing };
    }
    const outcome = this.acceptOrder(body, idempotencyKey);
    if (outcome.kind === 'rejected') this.stats.orderRejections += 1;
    return outcome;
  }

  findOrders(externalReference: string): readonly SimulatedOrder[] {
    return this.ordersByReference.get(externalReference) ?? [];
  }

  listOrders(): SimulatedOrder[] {
    return this.orders.map((order) => structuredClone(order));
  }

  snapshotStats(): RetailerStats {
    return { ...this.stats };
  }

  setStock(sku: string, stock: number): void {
    const entry = this.catalog.get(sku);
    if (!entry) throw new SimulatorError('sku_not_found', `${this.slug} has no sku ${sku}; set its price first`);
    entry.stock = stock;
  }

  /**
   * One page of the catalog in sku order, after `cursor` (the last sku of the previous page). Skus sort the same way
   * on every call, so a product added or removed between pages neither shifts nor repeats the others.
   */
  listProducts(limit: number, cursor: string | undefined): { products: CatalogListing[]; nextCursor: string | null } {
    const skus = [...this.catalog.keys()].sort().filter((sku) => cursor === undefined || sku > cursor);
    const page = skus.slice(0, limit);
    const products = page.map((sku) => {
      const entry = this.catalog.get(sku)!;
      return {
        sku,
        name: entry.name ?? sku,
        priceCents: entry.priceCents,
        available: entry.stock === undefined || entry.stock > 0,
        imageUrl: entry.imageUrl ?? null,
        productUrl: entry.productUrl ?? null,
      };
    });
    return { products, nextCursor: skus.length > limit ? page[page.length - 1]! : null };
  }

  removeSku(sku: string): void {
    if (!this.catalog.delete(sku)) throw new SimulatorError('sku_not_found', `${this.slug} has no sku ${sku}`);
  }

  /** Adds the sku (with unlimited stock) when the catalog does not have it yet. */
  setPrice(sku: string, priceCents: number): void {
    const entry = this.catalog.get(sku);
    if (entry) entry.priceCents = priceCents;
    else this.catalog.set(sku, { priceCents });
  }

  /** The terms of a request: a named shipping method's price instead of the flat one; null when it is not offered. */
  private termsFor(shippingMethod: string | undefined): RetailerTerms | null {
    if (shippingMethod === undefined) return this.terms;
    const method = this.shippingMethods.find((candidate) => candidate.id === shippingMethod);
    return method ? { ...this.terms, shippingCents: method.priceCents } : null;
  }

  private acceptOrder(body: CreateOrderBody, idempotencyKey: string | undefined): OrderOutcome {
    const addressProblem = findAddressProblem(body.shippingAddress, this.rejectedZips);
    if (addressProblem) return reject('address_rejected', addressProblem);
    const terms = this.termsFor(body.shippingMethod);
    if (!terms) return reject('shipping_method_unavailable', `we do not ship by ${body.shippingMethod}`);
    const priced = priceItems(body.items, this.catalog, terms);
    if (priced.kind === 'unknown_sku') return reject('out_of_stock', `we do not sell ${priced.sku}`);
    const shortSku = findShortSku(body.items, this.catalog);
    if (shortSku) return reject('out_of_stock', `not enough ${shortSku} in stock`);
    const { price } = priced;
    if (price.totalCents !== body.expectedTotalCents) {
      return reject('price_changed', `order total is ${price.totalCents}, expected ${body.expectedTotalCents}`);
    }
    decrementStock(body.items, this.catalog);
    const order: SimulatedOrder = {
      orderNumber: this.nextOrderNumber(),
      externalReference: body.externalReference,
      idempotencyKey,
      status: 'accepted',
      items: body.items,
      shippingAddress: body.shippingAddress,
      ...(body.shippingMethod ? { shippingMethod: body.shippingMethod } : {}),
      ...price,
      createdAt: new Date().toISOString(),
    };
    this.orders.push(order);
    if (idempotencyKey !== undefined) this.ordersByKey.set(idempotencyKey, order);
    const sameReference = this.ordersByReference.get(order.externalReference);
    if (sameReference) sameReference.push(order);
    else this.ordersByReference.set(order.externalReference, [order]);
    this.stats.orderCreations += 1;
    return { kind: 'created', order };
  }
}

function reject(code: RetailerRejectionCode, message: string): Rejection {
  return { kind: 'rejected', code, message };
}
