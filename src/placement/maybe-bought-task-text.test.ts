import { maybeBoughtInstructions } from './maybe-bought-task-text';
import type { PlacementOrder } from './placement-adapter';

const order = { orderNumber: 'MO-ABC123', storeName: 'EverShop Demo' } as PlacementOrder;

describe('maybeBoughtInstructions', () => {
  it('warns that the order may already have been bought, and gives both outcomes', () => {
    const text = maybeBoughtInstructions(order, { reason: 'the browser died after Place Order', account: 'buyer@example.test' });
    expect(text).toContain('MAY ALREADY HAVE BEEN BOUGHT at EverShop Demo');
    expect(text).toContain('the browser died after Place Order');
    expect(text).toContain('look for an order placed recently whose note or reference says MO-ABC123');
    expect(text).toContain('(account buyer@example.test)');
    expect(text).toMatch(/Found it: do NOT buy again\. Complete this task with EverShop Demo's order number/);
    expect(text).toMatch(/Not found: buy these items/);
  });

  it('uses the recipe\'s own words for where to look when it has them', () => {
    expect(maybeBoughtInstructions(order, { reason: 'x', whereToLook: 'Check /account/orders.' })).toContain('1. Look first. Check /account/orders.');
  });
});
