import { createHash } from 'node:crypto';
import * as keys from './idempotency-keys';

// These values are what in-flight work was started under: a change here strands it (see the module's comment).
describe('idempotency keys keep their values', () => {
  it('names payment writes by session and attempt', () => {
    const session = { id: 'cs_1', paymentAttempt: 2 };
    expect(keys.chargeKey(session)).toBe('cs_1:charge:2');
    expect(keys.cancelKey(session, 'pi_9')).toBe('cs_1:cancel:2:pi_9');
    expect(keys.captureKey('cs_1')).toBe('cs_1:capture');
    expect(keys.voidKey('cs_1')).toBe('cs_1:void');
  });

  it('names refunds by order and cause', () => {
    expect(keys.placementFailedRefundKey('MO-1', 0)).toBe('MO-1:refund:placement-failed:0');
    expect(keys.cancelledRefundKey('MO-1')).toBe('MO-1:refund:cancelled');
    expect(keys.retailerCancelledRefundKey('MO-1')).toBe('MO-1:refund:retailer-cancelled');
    const scope = createHash('sha256').update('admin_1\nabc').digest('hex').slice(0, 32);
    expect(keys.adminRefundKey('MO-1', 'admin_1', 'abc')).toBe(`MO-1:refund:admin:${scope}`);
  });

  it('names ledger rows of outside money and retailer orders as before', () => {
    expect(keys.disputeLossKey('dp_1', 'o1')).toBe('stripe:dp_1:o1');
    expect(keys.outsideRefundKey('re_1', 'o1')).toBe('stripe:re_1:o1');
    expect(keys.discountKeySql('o.order_number')).toBe("o.order_number || ':discount'");
    expect(keys.retailerOrderKey('MO-1')).toBe('MO-1');
  });
});
