import { eventsFor, nextPollDelayMs } from './status-sync-service';

describe('the status poll schedule', () => {
  const schedule = { firstMs: 60_000, maxMs: 3_600_000 };

  it('doubles the wait for every poll in a row that saw no change, up to the maximum', () => {
    expect([0, 1, 2, 3, 6, 7, 50].map((unchanged) => nextPollDelayMs(schedule, unchanged))).toEqual([
      60_000, 120_000, 240_000, 480_000, 3_600_000, 3_600_000, 3_600_000,
    ]);
  });
});

describe('the events a polled state stands for', () => {
  const poll = { status: 'placed' as const, storeOrderNumber: 'V123' };

  it('says nothing while the retailer has not moved the order on', () => {
    expect(eventsFor(poll, 'vendure', { state: 'open', retailerState: 'PaymentSettled' })).toEqual([]);
  });

  it('ships with the tracking, under an id that is the same for the same tracking', () => {
    const status = { state: 'shipped' as const, retailerState: 'Shipped', trackingNumber: '1Z', carrier: 'UPS' };
    const [event] = eventsFor(poll, 'vendure', status);
    expect(event).toEqual({
      id: 'poll:vendure:V123:shipped:1Z',
      type: 'order.shipped',
      data: { storeOrderNumber: 'V123', trackingNumber: '1Z', carrier: 'UPS' },
    });
    expect(eventsFor(poll, 'vendure', status)).toEqual([event]);
  });

  it('ships before it delivers an order we still hold as placed, and only delivers one already shipped', () => {
    const status = { state: 'delivered' as const, retailerState: 'Delivered', trackingNumber: '1Z', carrier: 'UPS' };
    expect(eventsFor(poll, 'vendure', status).map((event) => event.type)).toEqual(['order.shipped', 'order.delivered']);
    expect(eventsFor({ ...poll, status: 'shipped' }, 'vendure', status).map((event) => event.type)).toEqual([
      'order.delivered',
    ]);
  });

  it('cancels', () => {
    expect(eventsFor(poll, 'vendure', { state: 'cancelled', retailerState: 'Cancelled' })).toEqual([
      { id: 'poll:vendure:V123:cancelled', type: 'order.cancelled', data: { storeOrderNumber: 'V123' } },
    ]);
  });
});
