import { attributeToOrders } from './attribution';

describe('attributeToOrders', () => {
  const orders = [
    { orderId: 'a', leftCents: 2681 },
    { orderId: 'b', leftCents: 3499 },
  ];

  it('gives an amount equal to what one order has left to that order', () => {
    expect(attributeToOrders(3499, orders)).toEqual({
      attribution: 'whole_order',
      shares: [{ orderId: 'b', cents: 3499 }],
      unattributedCents: 0,
    });
  });

  it('spreads any other amount by what each order has left, to the cent', () => {
    const { attribution, shares, unattributedCents } = attributeToOrders(1000, orders);
    expect(attribution).toBe('spread');
    expect(shares).toEqual([
      { orderId: 'a', cents: 434 },
      { orderId: 'b', cents: 566 },
    ]); // 433.8 and 566.2
    expect(unattributedCents).toBe(0);
  });

  it('skips orders with nothing left, and says what no order could take', () => {
    expect(
      attributeToOrders(500, [
        { orderId: 'a', leftCents: 0 },
        { orderId: 'b', leftCents: 300 },
      ]),
    ).toEqual({
      attribution: 'spread',
      shares: [{ orderId: 'b', cents: 300 }],
      unattributedCents: 200,
    });
  });
});
