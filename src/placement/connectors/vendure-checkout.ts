import {
  PermanentPlacementError,
  PriceMismatchError,
  type PlacementContext,
  type PlacementOrder,
} from '../placement-adapter';
import { FLAT_RULE_OPTION_ID } from '../../domain/cart-snapshot';
import type { VendureApi } from './vendure-graphql';
import {
  ORDER,
  ORDER_OR_ERROR,
  orderOf,
  orderOrError,
  type OrderOrError,
  type ShopOrder,
} from './vendure-order-result';

/** The store's Vendure settings the Shop API steps use. */
export interface VendureCheckoutSettings {
  paymentMethodCode: string;
  shippingMethodCode?: string;
  customerEmailAddress: string;
  orderReferenceField?: string;
}

/** A guest session at the shop and the order it holds; `token` is the session's bearer token. */
export interface ShopSession {
  token?: string;
  code?: string;
}

/** What the shop's Admin API knows of our SKUs: the variant ids `addItemToOrder` takes. */
export async function variantIdsBySku(api: VendureApi, skus: readonly string[]): Promise<Map<string, string>> {
  const data = await api.admin<{ productVariants: { items: { id: string; sku: string; enabled: boolean }[] } }>(
    'find_variants',
    'query Variants($skus: [String!]!) { productVariants(options: { filter: { sku: { in: $skus } }, take: 100 }) { items { id sku enabled } } }',
    { skus: [...new Set(skus)] },
  );
  const ids = new Map<string, string>();
  for (const variant of data.productVariants.items) if (variant.enabled) ids.set(variant.sku, variant.id);
  const missing = skus.filter((sku) => !ids.has(sku));
  if (missing.length > 0) {
    throw new PermanentPlacementError(
      'out_of_stock',
      `vendure does not sell ${missing.join(', ')} (no enabled variant with that SKU)`,
      { missingSkus: missing },
    );
  }
  return ids;
}

/**
 * Fills the session's order with our items, our reference, the buying account, the shopper's address and a
 * shipping method. Calls `onOrderCreated` with the order's code and the session token as soon as Vendure assigned
 * them (after the first item), before anything else is sent: the record a crash-safe retry needs.
 */
export async function fillOrder(
  api: VendureApi,
  settings: VendureCheckoutSettings,
  order: PlacementOrder,
  session: ShopSession,
  onOrderCreated: (session: Required<ShopSession>) => Promise<void>,
): Promise<{ session: Required<ShopSession>; order: ShopOrder }> {
  const variantIds = await variantIdsBySku(
    api,
    order.items.map((item) => item.sku),
  );
  let token = session.token;
  let code = session.code;
  let current: ShopOrder | undefined;
  const mutate = async (step: string, field: string, query: string, variables: Record<string, unknown> = {}) => {
    const reply = await api.shop<Record<string, OrderOrError>>(step, query, variables, token);
    token = reply.token ?? token;
    current = orderOf(step, reply.data[field]);
    return current;
  };

  for (const item of order.items) {
    const added = await mutate(
      'add_item',
      'addItemToOrder',
      `mutation Add($id: ID!, $qty: Int!) { addItemToOrder(productVariantId: $id, quantity: $qty) { ${orderOrError('stock')} } }`,
      {
        id: variantIds.get(item.sku),
        qty: item.quantity,
      },
    );
    if (added.code !== code) {
      if (!token)
        throw new PermanentPlacementError(
          'config_invalid',
          "vendure handed out no session token: the shop's authOptions.tokenMethod must include 'bearer'",
        );
      code = added.code;
      await onOrderCreated({ token, code });
    }
  }
  if (settings.orderReferenceField) {
    await mutate(
      'set_reference',
      'setOrderCustomFields',
      `mutation Ref($input: UpdateOrderInput!) { setOrderCustomFields(input: $input) { ${ORDER_OR_ERROR} } }`,
      {
        input: { customFields: { [settings.orderReferenceField]: order.orderNumber } },
      },
    );
  }
  const { name, address1, address2, city, state, zip, country, phone } = order.shippingAddress;
  const [firstName, ...rest] = name.trim().split(/\s+/);
  await mutate(
    'set_customer',
    'setCustomerForOrder',
    `mutation Customer($input: CreateCustomerInput!) { setCustomerForOrder(input: $input) { ${ORDER_OR_ERROR} } }`,
    {
      input: { emailAddress: settings.customerEmailAddress, firstName, lastName: rest.join(' ') || firstName },
    },
  );
  await mutate(
    'set_address',
    'setOrderShippingAddress',
    `mutation Address($input: CreateAddressInput!) { setOrderShippingAddress(input: $input) { ${ORDER_OR_ERROR} } }`,
    {
      input: {
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
  );
  const methodId = await chooseShippingMethod(api, settings, order, token);
  const filled = await mutate(
    'set_shipping',
    'setOrderShippingMethod',
    `mutation Ship($ids: [ID!]!) { setOrderShippingMethod(shippingMethodId: $ids) { ${ORDER_OR_ERROR} } }`,
    {
      ids: [methodId],
    },
  );
  return { session: { token: token!, code: code! }, order: filled };
}

/**
 * The shopper's choice when the order carries one (its option id is the Vendure method's code; the reserved id
 * `standard` means the retailer's default), else the configured method when given, else the cheapest the shop offers
 * for this order and address.
 */
async function chooseShippingMethod(
  api: VendureApi,
  settings: VendureCheckoutSettings,
  order: PlacementOrder,
  token?: string,
): Promise<string> {
  const reply = await api.shop<{ eligibleShippingMethods: { id: string; code: string; priceWithTax: number }[] }>(
    'shipping_methods',
    '{ eligibleShippingMethods { id code priceWithTax } }',
    {},
    token,
  );
  const methods = reply.data.eligibleShippingMethods;
  const offered = () => methods.map((candidate) => candidate.code).join(', ') || 'none';
  const chosen = order.shippingOption?.id;
  if (chosen && chosen !== FLAT_RULE_OPTION_ID) {
    const method = methods.find((candidate) => candidate.code === chosen);
    // The store offers an option whose id is no method code of this shop: its options are configured wrongly.
    if (!method) {
      throw new PermanentPlacementError(
        'config_invalid',
        `vendure does not offer the shipping method ${chosen} the shopper chose (offered: ${offered()}); a store's shipping option ids must be the shop's shipping method codes`,
        { shippingOption: chosen },
      );
    }
    return method.id;
  }
  if (settings.shippingMethodCode) {
    const method = methods.find((candidate) => candidate.code === settings.shippingMethodCode);
    if (!method) {
      throw new PermanentPlacementError(
        'address_rejected',
        `vendure does not offer shipping method ${settings.shippingMethodCode} for this order (offered: ${offered()})`,
      );
    }
    return method.id;
  }
  const cheapest = [...methods].sort((a, b) => a.priceWithTax - b.priceWithTax)[0];
  if (!cheapest)
    throw new PermanentPlacementError(
      'address_rejected',
      'vendure offers no shipping method for this order and address',
    );
  return cheapest.id;
}

/** The price guard and the payment: nothing is paid when the shop's total is above the snapshot's by more than the tolerance. */
export async function payOrder(
  api: VendureApi,
  settings: VendureCheckoutSettings,
  order: PlacementOrder,
  context: PlacementContext,
  session: Required<ShopSession>,
  filled: ShopOrder,
  beforePayment: () => Promise<void>,
): Promise<ShopOrder> {
  if (filled.currencyCode.toLowerCase() !== order.currency.toLowerCase()) {
    throw new PermanentPlacementError(
      'config_invalid',
      `vendure sells in ${filled.currencyCode}, the store is in ${order.currency}`,
    );
  }
  if (filled.totalWithTax > order.totalCents + context.priceToleranceCents) {
    throw new PriceMismatchError(filled.totalWithTax, order.totalCents, { vendureOrderCode: session.code });
  }
  const shop = async (step: string, field: string, query: string, variables: Record<string, unknown> = {}) =>
    orderOf(step, (await api.shop<Record<string, OrderOrError>>(step, query, variables, session.token)).data[field]);
  if (filled.state !== 'ArrangingPayment') {
    await shop(
      'arrange_payment',
      'transitionOrderToState',
      `mutation { transitionOrderToState(state: "ArrangingPayment") { ${orderOrError('transition')} } }`,
    );
  }
  await beforePayment();
  return shop(
    'add_payment',
    'addPaymentToOrder',
    `mutation Pay($input: PaymentInput!) { addPaymentToOrder(input: $input) { ${orderOrError('transition', 'payment')} } }`,
    {
      input: { method: settings.paymentMethodCode, metadata: { reference: order.orderNumber } },
    },
  );
}

/**
 * The session's unpaid order, emptied so the flow can fill it again (a retry after a crash, or after a price
 * review): same code, so Vendure never holds two orders for one of ours. Undefined when the session holds no order
 * with that code any more (it was paid, or the session is gone).
 */
export async function reopenActiveOrder(
  api: VendureApi,
  session: Required<ShopSession>,
): Promise<ShopOrder | undefined> {
  const reply = await api.shop<{ activeOrder: ShopOrder | null }>(
    'active_order',
    `{ activeOrder { ${ORDER} } }`,
    {},
    session.token,
  );
  const active = reply.data.activeOrder;
  if (!active || active.code !== session.code) return undefined;
  const shop = async (step: string, field: string, query: string) =>
    orderOf(step, (await api.shop<Record<string, OrderOrError>>(step, query, {}, session.token)).data[field]);
  if (active.state === 'ArrangingPayment') {
    await shop(
      'reopen',
      'transitionOrderToState',
      `mutation { transitionOrderToState(state: "AddingItems") { ${orderOrError('transition')} } }`,
    );
  }
  return shop('empty_order', 'removeAllOrderLines', `mutation { removeAllOrderLines { ${ORDER_OR_ERROR} } }`);
}
