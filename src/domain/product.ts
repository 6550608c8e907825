export interface ProductRecord {
  id: string;
  storeId: string;
  sku: string;
  name: string;
  priceCents: number;
  productUrl: string | null;
  imageUrl: string | null;
  available: boolean;
}

/** A product as a shopper browses it: with its store's slug, name and currency. */
export interface ProductListing {
  id: string;
  storeId: string;
  storeSlug: string;
  storeName: string;
  currency: string;
  sku: string;
  name: string;
  priceCents: number;
  productUrl: string | null;
  imageUrl: string | null;
  available: boolean;
  updatedAt: Date;
}
