import { signRetailerPayload, verifyRetailerSignature } from './retailer-signature';

const secret = 'whsec_retailer_test_secret';
const body = Buffer.from('{"id":"evt_1","type":"order.shipped"}');

describe('retailer webhook signature', () => {
  it('accepts its own signature within five minutes', () => {
    expect(verifyRetailerSignature(signRetailerPayload(body, secret, 1000), body, secret, 1000 + 299)).toBe(true);
  });
  it('refuses a stale or future timestamp', () => {
    expect(verifyRetailerSignature(signRetailerPayload(body, secret, 1000), body, secret, 1301)).toBe(false);
    expect(verifyRetailerSignature(signRetailerPayload(body, secret, 2000), body, secret, 1000)).toBe(false);
  });
  it('refuses another secret, a changed body and malformed headers', () => {
    expect(verifyRetailerSignature(signRetailerPayload(body, 'another-secret', 1000), body, secret, 1000)).toBe(false);
    expect(
      verifyRetailerSignature(signRetailerPayload(body, secret, 1000), Buffer.from(`${body} `), secret, 1000),
    ).toBe(false);
    for (const header of [undefined, '', 't=1000', 'v1=abc', 't=x,v1=' + 'a'.repeat(64), 't=1000,v1=zz']) {
      expect(verifyRetailerSignature(header, body, secret, 1000)).toBe(false);
    }
  });
  it('accepts any of several v1 values while a secret rotates', () => {
    const good = signRetailerPayload(body, secret, 1000).split(',')[1];
    expect(verifyRetailerSignature(`t=1000,v1=${'0'.repeat(64)},${good}`, body, secret, 1000)).toBe(true);
  });
});
