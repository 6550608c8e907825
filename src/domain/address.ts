/** One shipping address for every store of a checkout. Validated by src/http/schemas (zod) at the edge. */
export interface ShippingAddress {
  name: string;
  address1: string;
  address2?: string;
  city: string;
  /** Two-letter USPS code, upper case. */
  state: string;
  /** 12345 or 12345-6789. */
  zip: string;
  /** ISO 3166-1 alpha-2; only US is served today. */
  country: string;
  /** E.164-ish digits, e.g. +14155550100. */
  phone: string;
  /** The shopper's email for order mails (optional: no address, no mails). */
  email?: string;
}
