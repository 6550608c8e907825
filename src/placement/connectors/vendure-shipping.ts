import { FLAT_RULE_OPTION_ID } from '../../domain/cart-snapshot';
import {
  PermanentPlacementError,
  type QuotedShippingOption,
  type ShippingQuoteRequest,
  type StoreCheck,
} from '../placement-adapter';
import { variantIdsBySku } from './vendure-checkout';
import type { VendureApi } from './vendure-graphql';

interface ShippingMethodQuote {
  code: string;
  name: string;
  priceWithTax: number;
}

/**
 * The shipping methods Vendure offers for these items and address, at their prices with tax (what Vendure charges
 * for them: placement's `setOrderShippingMethod` buys the same method at the same price). Asked of the Admin API's
 * `testEligibleShippingMethods`, which runs the shop's eligibility checkers and calculators on a test order: the
 * Shop API's `eligibleShippingMethods` would need a real active order at the shop for every checkout we quote,
 * left behind as an abandoned cart whenever the shopper does not buy. Option ids are the methods' codes, which
 * placement looks up again by code.
 */
export async function quoteVendureShipping(
  api: VendureApi,
  request: ShippingQuoteRequest,
): Promise<QuotedShippingOption[]> {
  const variantIds = await variantIdsBySku(
    api,
    request.items.map((item) => item.sku),
  );
  const { name, address1, address2, city, state, zip, country, phone } = request.shippingAddress;
  const data = await api.admin<{ testEligibleShippingMethods: ShippingMethodQuote[] }>(
    'quote_shipping',
    'query Quote($input: TestEligibleShippingMethodsInput!) { testEligibleShippingMethods(input: $input) { code name priceWithTax } }',
    {
      input: {
        lines: request.items.map((item) => ({ productVariantId: variantIds.get(item.sku), quantity: item.quantity })),
        shippingAddress: {
          fullName: name,
          streetLine1: address1,
          streetLine2: address2 ?? '',
          city,
          province: state,
          postalCode: zip,
          countryCode: country,
          phoneNumber: phone,
        },
      },
    },
  );
  const methods = data.testEligibleShippingMethods;
  if (methods.length === 0)
    throw new PermanentPlacementError(
      'address_rejected',
      'vendure offers no shipping method for these items and this address',
    );
  // Vendure has no delivery estimate of its own; a method's name or description is where shops say it.
  return methods.map((method) => ({
    id: method.code,
    name: method.name,
    priceCents: method.priceWithTax,
    minDays: null,
    maxDays: null,
  }));
}

/**
 * Whether the store's configured shipping option ids are this shop's method codes: placement hands the shopper's
 * choice to Vendure by code, so an id the shop does not know would only fail once the shopper has paid.
 */
export function shippingOptionsCheck(optionIds: readonly string[], codes: readonly string[]): StoreCheck {
  const unknown = optionIds.filter((id) => id !== FLAT_RULE_OPTION_ID && !codes.includes(id));
  if (unknown.length === 0)
    return {
      name: 'shipping_options',
      ok: true,
      message: `the store's shipping options ${optionIds.join(', ')} are the shop's method codes`,
    };
  return {
    name: 'shipping_options',
    ok: false,
    message: `the store's shipping option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} ${unknown.length > 1 ? 'are not shipping method codes' : 'is not a shipping method code'} at this Vendure (the shop has: ${codes.join(', ') || 'none'}); a shopper choosing ${unknown.length > 1 ? 'one' : 'it'} could not be placed`,
  };
}
