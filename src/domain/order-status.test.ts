import {
  CANCELLABLE_STATUSES,
  canTransition,
  FULFILLED_STATUSES,
  ORDER_STATUSES,
  REFUNDABLE_STATUSES,
  SETTLED_STATUSES,
  UNSETTLED_STATUSES,
} from './order-status';
import { canMoveSession, PAID_SESSION_STATUSES, SESSION_STATUSES, sessionMove } from './session-status';

describe('order status groups', () => {
  it('an order can be cancelled exactly from the statuses the table lets move to cancelled', () => {
    expect([...CANCELLABLE_STATUSES].sort()).toEqual([
      'confirmed',
      'partially_refunded',
      'pending',
      'placed',
      'placing',
    ]);
    for (const status of ORDER_STATUSES)
      expect(CANCELLABLE_STATUSES.includes(status)).toBe(canTransition(status, 'cancelled'));
  });

  it('an admin may refund any order with an outcome, and only those', () => {
    expect([...REFUNDABLE_STATUSES].sort()).toEqual([...SETTLED_STATUSES].sort());
    expect(REFUNDABLE_STATUSES).not.toContain('pending');
    expect(REFUNDABLE_STATUSES).not.toContain('placing');
  });

  it('every status is either settled or still being placed, never both', () => {
    expect([...SETTLED_STATUSES, ...UNSETTLED_STATUSES].sort()).toEqual([...ORDER_STATUSES].sort());
    expect(FULFILLED_STATUSES.every((status) => SETTLED_STATUSES.includes(status))).toBe(true);
  });
});

describe('checkout session transitions', () => {
  it('a move the table does not name is refused as an invalid transition', () => {
    expect(() => sessionMove('cancelled', 'processing')).toThrow(
      expect.objectContaining({ code: 'invalid_transition' }),
    );
    expect(sessionMove('pending', 'processing')).toEqual({ from: 'pending', to: 'processing' });
  });

  it('only a paid session settles, and a cancelled one never moves again', () => {
    for (const status of SESSION_STATUSES) {
      expect(canMoveSession(status, 'completed')).toBe(
        PAID_SESSION_STATUSES.includes(status as never) && status !== 'completed',
      );
      expect(canMoveSession('cancelled', status)).toBe(false);
    }
  });
});
