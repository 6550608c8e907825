/**
 * EverShop's admin REST and GraphQL APIs, as the tests use them: seed products and customers, change prices and
 * stock, remove products, and read orders back. Errors come back as `{"error":{"message"}}` (often HTTP 500).
 */

export interface EverShopProduct {
  uuid: string;
  sku: string;
  urlKey: string;
}

export interface EverShopOrder {
  uuid: string;
  orderNumber: string;
  customerEmail: string;
  shippingNote: string | null;
  grandTotalCents: number;
  items: { sku: string; qty: number }[];
}

export interface EverShopAdmin {
  readonly baseUrl: string;
  createProduct(input: { sku: string; name: string; priceCents: number; qty: number }): Promise<EverShopProduct>;
  updateProduct(uuid: string, patch: { priceCents?: number; qty?: number }): Promise<void>;
  deleteProduct(uuid: string): Promise<void>;
  createCustomer(input: { email: string; password: string; fullName: string }): Promise<void>;
  /** Orders whose customer email contains `keyword` (EverShop's keyword filter), newest first. */
  orders(keyword: string): Promise<EverShopOrder[]>;
}

const dollars = (cents: number) => (cents / 100).toFixed(2);

export async function connectEverShopAdmin(baseUrl: string, credentials: { email: string; password: string }): Promise<EverShopAdmin> {
  let token: string | undefined;
  let packageId: number | undefined;

  async function api<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${baseUrl}/api${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = text ? (JSON.parse(text) as { data?: T; error?: unknown }) : {};
    if (!res.ok || json.error) throw new Error(`EverShop ${method} ${path} -> ${res.status} ${text.slice(0, 300)}`);
    return json.data as T;
  }

  token = (await api<{ accessToken: string }>('POST', '/user/tokens', credentials)).accessToken;

  async function defaultPackage(): Promise<number> {
    if (packageId !== undefined) return packageId;
    const created = await api<{ package_id: number }>('POST', '/packages', { name: `Box ${Math.random().toString(36).slice(2, 8)}`, length: 10, width: 10, height: 10, weight: 0, is_default: false });
    packageId = created.package_id;
    return packageId;
  }

  return {
    baseUrl,
    async createProduct({ sku, name, priceCents, qty }) {
      const urlKey = sku.toLowerCase();
      const created = await api<{ uuid: string }>('POST', '/products', {
        name,
        url_key: urlKey,
        status: 1,
        sku,
        qty,
        price: dollars(priceCents),
        weight: 1,
        group_id: 1, // "Default" attribute group, created by EverShop's migrations
        visibility: 1,
        manage_stock: 1,
        stock_availability: qty > 0 ? 1 : 0,
        package_id: await defaultPackage(),
      });
      return { uuid: created.uuid, sku, urlKey };
    },
    async updateProduct(uuid, { priceCents, qty }) {
      await api('PATCH', `/products/${uuid}`, {
        ...(priceCents !== undefined && { price: dollars(priceCents) }),
        ...(qty !== undefined && { qty, stock_availability: qty > 0 ? 1 : 0 }),
      });
    },
    async deleteProduct(uuid) {
      await api('DELETE', `/products/${uuid}`);
    },
    async createCustomer({ email, password, fullName }) {
      await api('POST', '/customers', { email, password, full_name: fullName });
    },
    async orders(keyword) {
      const query = `query($f:[FilterInput]){ orders(filters:$f){ items { uuid orderNumber customerEmail shippingNote grandTotal{value} items { productSku qty } } } }`;
      const res = await fetch(`${baseUrl}/api/admin/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables: { f: [{ key: 'keyword', operation: 'eq', value: keyword }, { key: 'ob', operation: 'eq', value: 'created_at' }, { key: 'od', operation: 'eq', value: 'desc' }] } }),
      });
      const json = (await res.json()) as { data?: { orders: { items: Record<string, any>[] } }; errors?: unknown };
      if (!json.data) throw new Error(`EverShop admin orders query failed: ${JSON.stringify(json.errors).slice(0, 300)}`);
      return json.data.orders.items.map((o) => ({
        uuid: o.uuid,
        orderNumber: String(o.orderNumber),
        customerEmail: o.customerEmail,
        shippingNote: o.shippingNote ?? null,
        grandTotalCents: Math.round(Number(o.grandTotal.value) * 100),
        items: (o.items ?? []).map((item: Record<string, any>) => ({ sku: item.productSku, qty: Number(item.qty) })),
      }));
    },
  };
}
