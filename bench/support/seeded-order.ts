/**
 * What every order bench:placement seeds buys: one unit of the store's one SKU, shipped to one address (the address
 * the checkout benchmarks' shoppers give too). The floor worker sends the retailer exactly this, so its requests are
 * the size of the api adapter's.
 */
export const SEEDED_SKU = 'BENCH-1';
export const SEEDED_PRICE_CENTS = 1250;
export const BENCH_ADDRESS = {
  name: 'Ada Lovelace',
  address1: '1 Market St',
  city: 'San Francisco',
  state: 'CA',
  zip: '94105',
  country: 'US',
  phone: '+14155550100',
};
