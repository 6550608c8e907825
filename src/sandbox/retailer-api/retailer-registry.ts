import { SimulatedRetailer } from './retailer';
import {
  addRetailerBodySchema,
  faultSpecSchema,
  latencyBodySchema,
  parseOrThrow,
  priceBodySchema,
  stockBodySchema,
} from './schemas';
import {
  SimulatorError,
  type FaultSpec,
  type RetailerInfo,
  type RetailerSetup,
  type RetailerSimControls,
  type RetailerStats,
  type SimulatedOrder,
} from './types';

/**
 * The retailers of one simulator, and the controls over them. Arguments are validated here as well as at the HTTP
 * edge, so an in-process caller cannot put a retailer in a state the protocol could not reach.
 */
export class RetailerRegistry implements RetailerSimControls {
  private readonly retailersBySlug = new Map<string, SimulatedRetailer>();
  private lastOrderSequence = 1_000_000;

  constructor(private readonly baseUrlFor: (slug: string) => string) {}

  find(slug: string): SimulatedRetailer | undefined {
    return this.retailersBySlug.get(slug);
  }

  addRetailer(slug: string, setup: RetailerSetup): RetailerInfo {
    const { slug: validSlug, ...validSetup } = parseOrThrow(addRetailerBodySchema, { ...setup, slug }, 'retailer');
    const prefix = validSlug
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, '')
      .slice(0, 8);
    const nextOrderNumber = () => `${prefix}-${(this.lastOrderSequence += 1)}`;
    this.retailersBySlug.set(validSlug, new SimulatedRetailer(validSlug, validSetup, nextOrderNumber));
    return this.info(validSlug);
  }

  removeRetailer(slug: string): void {
    this.get(slug);
    this.retailersBySlug.delete(slug);
  }

  retailers(): RetailerInfo[] {
    return [...this.retailersBySlug.keys()].map((slug) => this.info(slug));
  }

  setLatency(slug: string, latencyMs: number): void {
    this.get(slug).latencyMs = parseOrThrow(latencyBodySchema, { latencyMs }, 'latency').latencyMs;
  }

  setStock(slug: string, sku: string, stock: number): void {
    this.get(slug).setStock(sku, parseOrThrow(stockBodySchema, { stock }, 'stock').stock);
  }

  setPrice(slug: string, sku: string, priceCents: number): void {
    this.get(slug).setPrice(sku, parseOrThrow(priceBodySchema, { priceCents }, 'price').priceCents);
  }

  removeSku(slug: string, sku: string): void {
    this.get(slug).removeSku(sku);
  }

  injectFaults(slug: string, fault: FaultSpec): void {
    this.get(slug).faults.inject(parseOrThrow(faultSpecSchema, fault, 'fault'));
  }

  clearFaults(slug: string): void {
    this.get(slug).faults.clear();
  }

  orders(slug: string): SimulatedOrder[] {
    return this.get(slug).listOrders();
  }

  stats(slug: string): RetailerStats {
    return this.get(slug).snapshotStats();
  }

  private get(slug: string): SimulatedRetailer {
    const retailer = this.retailersBySlug.get(slug);
    if (!retailer) throw new SimulatorError('retailer_not_found', `no retailer ${slug}`);
    return retailer;
  }

  private info(slug: string): RetailerInfo {
    return { slug, baseUrl: this.baseUrlFor(slug) };
  }
}
