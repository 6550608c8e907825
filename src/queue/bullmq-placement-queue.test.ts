import { placementJobId } from './bullmq-placement-queue';

describe('placementJobId', () => {
  it('uses the order number as it is', () => {
    expect(placementJobId('MO-7K2Q9ZP4XA')).toBe('MO-7K2Q9ZP4XA');
  });

  it.each([[''], ['MO:1'], ['12345'], ['-7']])('refuses %j, which BullMQ would reject or replace', (orderNumber) => {
    expect(() => placementJobId(orderNumber)).toThrow('cannot be a BullMQ job id');
  });
});
