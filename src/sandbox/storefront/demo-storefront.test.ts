import { startDemoStorefront, type DemoStorefront } from './demo-storefront';

const credentials = { username: 'buyer@example.com', password: 'secret-password' };
let store: DemoStorefront;

beforeAll(async () => {
  store = await startDemoStorefront({
    credentials,
    taxBasisPoints: 825,
    shippingCents: 599,
    products: [{ sku: 'TEE', name: 'Tee', priceCents: 2400, sizes: ['M'], stock: 10 }],
  });
});
afterEach(() => store.reset());
afterAll(() => store.stop());

/** One shopper: a cookie jar over fetch, no redirects followed. */
function shopper() {
  let cookie = '';
  const request = async (path: string, form?: Record<string, string>) => {
    const response = await fetch(`${store.url}${path}`, {
      method: form ? 'POST' : 'GET',
      body: form && new URLSearchParams(form),
      headers: { cookie },
      redirect: 'manual',
    });
    cookie = response.headers.get('set-cookie')?.split(';')[0] ?? cookie;
    return { status: response.status, location: response.headers.get('location'), html: await response.text() };
  };
  return {
    request,
    async checkOut(reference: string, quantity = 1) {
      await request('/login', credentials);
      await request('/cart/items', { sku: 'TEE', size: 'M', quantity: String(quantity) });
      const address = {
        name: 'Ada Lovelace',
        address1: '1 Main St',
        city: 'Oakland',
        state: 'CA',
        zip: '94607',
        phone: '4155550100',
      };
      return request('/checkout', {
        ...address,
        'card-number': '4242424242424242',
        'card-expiry': '12/30',
        'card-cvc': '123',
        'order-reference': reference,
      });
    },
  };
}

const control = (path: string, body: unknown = {}) =>
  fetch(`${store.url}/_store/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('demo storefront', () => {
  it('when the password is wrong, then the login page says so', async () => {
    const { status, html } = await shopper().request('/login', { ...credentials, password: 'nope' });
    expect(status).toBe(401);
    expect(html).toContain('data-error="login"');
  });

  it('when a shopper checks out, then the review shows the totals in dollars and the order is recorded in cents', async () => {
    const buyer = shopper();
    expect((await buyer.checkOut('MO-REF0000001', 2)).location).toBe('/checkout/review');
    const review = await buyer.request('/checkout/review');
    expect(review.html).toContain('<dd data-total>$57.95</dd>');

    const placed = await buyer.request('/checkout/place', {});

    const [order] = store.orders().filter((o) => o.reference === 'MO-REF0000001');
    expect(placed.location).toBe(`/orders/${order!.confirmationNumber}`);
    expect(order).toMatchObject({
      subtotalCents: 4800,
      taxCents: 396,
      shippingCents: 599,
      totalCents: 5795,
      cardLast4: '4242',
    });
    expect(order!.confirmationNumber).toMatch(/^DO-\d{8}$/);
    expect((await buyer.request('/account/orders?reference=MO-REF0000001')).html).toContain(order!.confirmationNumber);
  });

  it('when the switches are flipped over HTTP, then the shop misbehaves accordingly', async () => {
    expect((await control('variant', { variant: 'changed-button' })).status).toBe(204);
    expect((await control('price', { sku: 'TEE', cents: 2500 })).status).toBe(204);
    expect((await control('fail-next-checkouts', { count: 1 })).status).toBe(204);
    const buyer = shopper();
    await buyer.checkOut('MO-REF0000002');
    const review = await buyer.request('/checkout/review');
    expect(review.html).toContain('submit-order-v2');
    expect(review.html).not.toContain('id="place-order"');
    expect(review.html).toContain('<dd data-subtotal>$25.00</dd>');

    expect((await buyer.request('/checkout/place', {})).status).toBe(500);
    expect((await buyer.request('/checkout/place', {})).status).toBe(303);

    await control('out-of-stock', { sku: 'TEE', outOfStock: true });
    expect((await buyer.request('/products/TEE')).html).toContain('data-stock-status="out-of-stock"');
    const orders = (await (await fetch(`${store.url}/_store/orders`)).json()) as { reference: string }[];
    expect(orders.map((o) => o.reference)).toContain('MO-REF0000002');
  });

  it('when a switch request is malformed, then it is refused with the reason', async () => {
    expect((await control('latency', { ms: 'slow' })).status).toBe(400);
    expect((await control('price', { sku: 'NOPE', cents: 1 })).status).toBe(404);
  });

  it('when the store crashes after the next order, then the order is kept but the shopper never sees a confirmation', async () => {
    const buyer = shopper();
    await buyer.checkOut('MO-REF0000003');
    store.crashAfterNextOrder();

    // Clients re-send a request whose reused connection died unanswered; the re-sent one finds no checkout.
    const answer = await buyer.request('/checkout/place', {}).catch(() => undefined);

    expect(answer?.location ?? undefined).toBeUndefined();
    expect(store.orders().filter((o) => o.reference === 'MO-REF0000003')).toHaveLength(1);
  });
});
