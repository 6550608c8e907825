import { applyBasisPoints, sumCents } from '../../domain/money';
import type { CatalogEntry, SimulatedOrderItem } from './types';

/** How a retailer charges: its own prices when it knows the sku, tax on the items, flat shipping. */
export interface RetailerTerms {
  taxBasisPoints: number;
  shippingCents: number;
  strictCatalog: boolean;
}

export interface RetailerPrice {
  subtotalCents: number;
  taxCents: number;
  shippingCents: number;
  totalCents: number;
}

export type PriceResult = { kind: 'priced'; price: RetailerPrice } | { kind: 'unknown_sku'; sku: string };

export function priceItems(
  items: readonly SimulatedOrderItem[],
  catalog: ReadonlyMap<string, CatalogEntry>,
  terms: RetailerTerms,
): PriceResult {
  const lineTotals: number[] = [];
  for (const item of items) {
    const entry = catalog.get(item.sku);
    if (!entry && terms.strictCatalog) return { kind: 'unknown_sku', sku: item.sku };
    lineTotals.push((entry?.priceCents ?? item.unitPriceCents) * item.quantity);
  }
  const subtotalCents = sumCents(lineTotals);
  const taxCents = applyBasisPoints(subtotalCents, terms.taxBasisPoints);
  const shippingCents = terms.shippingCents;
  const totalCents = subtotalCents + taxCents + shippingCents;
  return { kind: 'priced', price: { subtotalCents, taxCents, shippingCents, totalCents } };
}

/** The first sku whose stock cannot cover the order (lines of one sku are added up), if any. */
export function findShortSku(
  items: readonly SimulatedOrderItem[],
  catalog: ReadonlyMap<string, CatalogEntry>,
): string | undefined {
  for (const [sku, quantity] of quantitiesBySku(items)) {
    const stock = catalog.get(sku)?.stock;
    if (stock !== undefined && stock < quantity) return sku;
  }
  return undefined;
}

export function decrementStock(items: readonly SimulatedOrderItem[], catalog: Map<string, CatalogEntry>): void {
  for (const [sku, quantity] of quantitiesBySku(items)) {
    const entry = catalog.get(sku);
    if (entry?.stock !== undefined) entry.stock -= quantity;
  }
}

const REQUIRED_ADDRESS_FIELDS = ['name', 'address1', 'city', 'state', 'zip', 'country'] as const;

/** Why the retailer will not deliver to this address, or undefined when it will. */
export function findAddressProblem(
  address: Record<string, unknown>,
  rejectedZips: ReadonlySet<string>,
): string | undefined {
  const missing = REQUIRED_ADDRESS_FIELDS.filter((field) => {
    const value = address[field];
    return typeof value !== 'string' || value.trim() === '';
  });
  if (missing.length > 0) return `shipping address is missing ${missing.join(', ')}`;
  const zip = String(address.zip).trim();
  if (rejectedZips.has(zip) || rejectedZips.has(zip.slice(0, 5))) return `we do not deliver to ${zip}`;
  return undefined;
}

function quantitiesBySku(items: readonly SimulatedOrderItem[]): Map<string, number> {
  const quantities = new Map<string, number>();
  for (const item of items) quantities.set(item.sku, (quantities.get(item.sku) ?? 0) + item.quantity);
  return quantities;
}
