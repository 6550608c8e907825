import type { ShippingAddress } from '../domain/address';
import type { CartSnapshot, ShippingChoice, ShippingOptionsSource, StoreShippingOption } from '../domain/cart-snapshot';
import type { PlacementRegistry } from '../placement/placement-registry';
import type { QuotedShippingOption } from '../placement/placement-adapter';
import { retailerQuotedStores, type QuotingStore } from '../repositories/shipping-options-repository';
import { shippingChoicesFor } from './pricing';
import type { ServiceDeps } from './service-deps';

/**
 * The longest a checkout waits for a retailer's shipping quote (less when the store's own `timeoutMs` is less).
 * A shopper is waiting on the answer, and the configured options are a fine answer meanwhile.
 */
export const SHIPPING_QUOTE_TIMEOUT_MS = 3000;

/** A store's options for this session and where they came from. */
export interface QuotedStoreOptions {
  options: ShippingChoice[];
  source: ShippingOptionsSource;
}

/**
 * The shipping options of a checkout's stores whose options come from their retailer (`source: retailer`), asked of
 * each retailer for the store's items and the shopper's address, all stores at once. A retailer that is down,
 * slow (past the bound) or refuses does not stop the checkout: its store offers its configured options (or its
 * flat rule) instead, marked `source: store`, and the refusal is logged.
 */
export function createShippingQuotes({ db, logger }: ServiceDeps, registry: PlacementRegistry) {
  async function quoteStore(
    store: QuotingStore,
    snapshot: CartSnapshot,
    address: ShippingAddress,
  ): Promise<QuotedStoreOptions> {
    const frozen = snapshot.stores.find((candidate) => candidate.storeId === store.storeId)!;
    const configured = () =>
      shippingChoicesFor({ shipping: store.flatRule, shippingOptions: store.options }, frozen.subtotalCents);
    const configTimeout = Number(store.placementConfig.timeoutMs);
    const timeoutMs = Math.min(
      SHIPPING_QUOTE_TIMEOUT_MS,
      Number.isFinite(configTimeout) && configTimeout > 0 ? configTimeout : Infinity,
    );
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new Error(`no shipping quote within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      const request = {
        items: frozen.items.map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents })),
        shippingAddress: address,
      };
      const context = {
        config: { ...store.placementConfig, timeoutMs },
        logger: logger.child({ storeId: store.storeId, step: 'shipping_quote' }),
        signal: abort.signal,
      };
      const quoted = await Promise.race([registry.quoteShipping(store.placementMethod, request, context), deadline]);
      if (quoted.length === 0) throw new Error('the retailer quoted no shipping method');
      return { options: choicesOf(quoted, store, frozen.subtotalCents), source: 'retailer' };
    } catch (error) {
      logger.warn(
        { err: error, storeId: store.storeId },
        'the retailer did not quote shipping; the store’s configured options stand in',
      );
      return { options: configured(), source: 'store' };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    /** Store id → its options for this address; empty when no store of the checkout asks its retailer. */
    async forAddress(snapshot: CartSnapshot, address: ShippingAddress): Promise<Map<string, QuotedStoreOptions>> {
      const stores = await retailerQuotedStores(
        db,
        snapshot.stores.map((store) => store.storeId),
      );
      const quoted = await Promise.all(
        stores.map(async (store) => [store.storeId, await quoteStore(store, snapshot, address)] as const),
      );
      return new Map(quoted);
    },
  };
}

/** The retailer's prices are already for this order: no free-above threshold of ours applies. */
function choicesOf(quoted: QuotedShippingOption[], store: QuotingStore, subtotalCents: number): ShippingChoice[] {
  const options: StoreShippingOption[] = quoted.map((option) => ({ ...option, freeAboveCents: null }));
  return shippingChoicesFor({ shipping: store.flatRule, shippingOptions: options }, subtotalCents);
}

/**
 * The snapshot with these stores' options replaced: a store keeps the shopper's choice when its new options still
 * have it (at its new price), else (or when the shopper never chose) takes the cheapest. Totals are the caller's to price.
 */
export function withShippingOptions(
  snapshot: CartSnapshot,
  byStore: ReadonlyMap<string, QuotedStoreOptions>,
): CartSnapshot {
  if (byStore.size === 0) return snapshot;
  const stores = snapshot.stores.map((store) => {
    const quoted = byStore.get(store.storeId);
    if (!quoted) return store;
    const kept = store.shippingOptionChosen
      ? quoted.options.find((option) => option.id === store.shippingOption?.id)
      : undefined;
    return {
      ...store,
      shippingOptions: quoted.options,
      shippingOption: kept ?? quoted.options[0] ?? null,
      shippingOptionChosen: kept !== undefined,
      shippingOptionsSource: quoted.source,
    };
  });
  return { ...snapshot, stores };
}

export type ShippingQuotes = ReturnType<typeof createShippingQuotes>;
