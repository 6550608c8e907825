import type { VendurePlatform } from '../platforms/vendure/start';

type Platform = Omit<VendurePlatform, 'stop'>;

export interface VendureOrderView {
  id: string;
  code: string;
  state: string;
  orderPlacedAt: string | null;
  totalWithTax: number;
  customFields: { clientRef: string | null };
  shippingAddress: {
    fullName: string;
    streetLine1: string;
    city: string;
    province: string;
    postalCode: string;
    countryCode: string;
  };
  customer: { emailAddress: string } | null;
  lines: { id: string; quantity: number; productVariant: { sku: string } }[];
  payments: { state: string; method: string; amount: number }[];
  fulfillments: { id: string; state: string; method: string; trackingCode: string | null }[];
  shippingLines: { shippingMethod: { code: string }; priceWithTax: number }[];
}

const ORDER_FIELDS = `id code state orderPlacedAt totalWithTax customFields { clientRef }
  shippingAddress { fullName streetLine1 city province postalCode countryCode } customer { emailAddress }
  lines { id quantity productVariant { sku } } payments { state method amount } fulfillments { id state method trackingCode }
  shippingLines { shippingMethod { code } priceWithTax }`;

/**
 * The retailer's side of the tests: Vendure's own Admin API, as the shop's staff would use it (products, stock,
 * prices, fulfilments, cancellations), and to read back what our service bought.
 */
export function vendureAdmin(platform: Platform) {
  let token: string | undefined;

  async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    if (!token) {
      const res = await fetch(platform.adminApiUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { __typename } }',
          variables: { u: platform.adminUsername, p: platform.adminPassword },
        }),
      });
      token = res.headers.get('vendure-auth-token') ?? undefined;
      if (!token) throw new Error(`vendure admin login failed: ${await res.text()}`);
    }
    const res = await fetch(platform.adminApiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
    if (body.errors?.length) throw new Error(`vendure admin: ${body.errors.map((e) => e.message).join('; ')}`);
    return body.data as T;
  }

  async function variantOf(sku: string): Promise<{ id: string }> {
    const data = await gql<{ productVariants: { items: { id: string }[] } }>(
      'query($sku: String!) { productVariants(options: { filter: { sku: { eq: $sku } } }) { items { id } } }',
      { sku },
    );
    if (!data.productVariants.items[0]) throw new Error(`vendure has no variant ${sku}`);
    return data.productVariants.items[0];
  }

  const admin = {
    gql,

    /** A product with one variant, its stock tracked. */
    async createProduct(product: { sku: string; name: string; priceCents: number; stock: number }): Promise<void> {
      const { taxCategories } = await gql<{ taxCategories: { items: { id: string }[] } }>(
        '{ taxCategories { items { id } } }',
      );
      const slug = product.sku.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      const created = await gql<{ createProduct: { id: string } }>(
        'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }',
        { input: { enabled: true, translations: [{ languageCode: 'en', name: product.name, slug, description: '' }] } },
      );
      await gql('mutation($input: [CreateProductVariantInput!]!) { createProductVariants(input: $input) { id } }', {
        input: [
          {
            productId: created.createProduct.id,
            sku: product.sku,
            price: product.priceCents,
            stockOnHand: product.stock,
            trackInventory: 'TRUE',
            taxCategoryId: taxCategories.items[0]!.id,
            translations: [{ languageCode: 'en', name: product.name }],
          },
        ],
      });
    },

    async setVariant(sku: string, changes: { priceCents?: number; stock?: number }): Promise<void> {
      const { id } = await variantOf(sku);
      await gql('mutation($input: [UpdateProductVariantInput!]!) { updateProductVariants(input: $input) { id } }', {
        input: [
          {
            id,
            ...(changes.priceCents !== undefined ? { price: changes.priceCents } : {}),
            ...(changes.stock !== undefined ? { stockOnHand: changes.stock } : {}),
          },
        ],
      });
    },

    /** Every order carrying our reference, whatever its state. */
    async ordersByReference(reference: string): Promise<VendureOrderView[]> {
      const data = await gql<{ orders: { items: VendureOrderView[] } }>(
        `query($ref: String!) { orders(options: { filter: { clientRef: { eq: $ref } } }) { items { ${ORDER_FIELDS} } } }`,
        { ref: reference },
      );
      return data.orders.items;
    },

    async orderByCode(code: string): Promise<VendureOrderView> {
      const data = await gql<{ orders: { items: VendureOrderView[] } }>(
        `query($code: String!) { orders(options: { filter: { code: { eq: $code } } }) { items { ${ORDER_FIELDS} } } }`,
        { code },
      );
      if (!data.orders.items[0]) throw new Error(`vendure has no order ${code}`);
      return data.orders.items[0];
    },

    /** The shop's staff ship the whole order with a tracking code (manual fulfilment, then Shipped). */
    async ship(code: string, shipment: { method: string; trackingCode: string }): Promise<void> {
      const order = await admin.orderByCode(code);
      const result = await gql<{ addFulfillmentToOrder: { __typename: string; id?: string; message?: string } }>(
        `mutation($input: FulfillOrderInput!) { addFulfillmentToOrder(input: $input) { __typename ... on Fulfillment { id } ... on ErrorResult { message } } }`,
        {
          input: {
            lines: order.lines.map((line) => ({ orderLineId: line.id, quantity: line.quantity })),
            handler: {
              code: 'manual-fulfillment',
              arguments: [
                { name: 'method', value: shipment.method },
                { name: 'trackingCode', value: shipment.trackingCode },
              ],
            },
          },
        },
      );
      if (!result.addFulfillmentToOrder.id)
        throw new Error(`vendure fulfilment refused: ${result.addFulfillmentToOrder.message}`);
      await admin.transitionFulfillment(result.addFulfillmentToOrder.id, 'Shipped');
    },

    async transitionFulfillment(id: string, state: 'Shipped' | 'Delivered'): Promise<void> {
      const result = await gql<{ transitionFulfillmentToState: { __typename: string; message?: string } }>(
        'mutation($id: ID!, $state: String!) { transitionFulfillmentToState(id: $id, state: $state) { __typename ... on ErrorResult { message } } }',
        { id, state },
      );
      if (result.transitionFulfillmentToState.__typename !== 'Fulfillment')
        throw new Error(`vendure fulfilment move refused: ${result.transitionFulfillmentToState.message}`);
    },

    /** The shop cancels the whole order (and would refund its payment on account). */
    async cancel(code: string): Promise<void> {
      const order = await admin.orderByCode(code);
      const result = await gql<{ cancelOrder: { __typename: string; message?: string } }>(
        'mutation($input: CancelOrderInput!) { cancelOrder(input: $input) { __typename ... on ErrorResult { message } } }',
        { input: { orderId: order.id, reason: 'cancelled by the retailer in a test' } },
      );
      if (result.cancelOrder.__typename !== 'Order')
        throw new Error(`vendure cancel refused: ${result.cancelOrder.message}`);
    },
  };
  return admin;
}

export type VendureAdmin = ReturnType<typeof vendureAdmin>;
