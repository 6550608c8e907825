import { FormSyntaxError, parseStripeForm } from '../src/sandbox/stripe/form-body';

describe('parseStripeForm', () => {
  it('reads flat fields, decoding + and percent escapes', () => {
    expect(parseStripeForm('amount=1000&description=Two+shirts%20%26%20a+hat')).toEqual({
      amount: '1000',
      description: 'Two shirts & a hat',
    });
  });

  it('reads hashes, with brackets plain or percent-encoded', () => {
    expect(parseStripeForm('metadata[order]=MO-1&metadata%5Bstore%5D=acme')).toEqual({
      metadata: { order: 'MO-1', store: 'acme' },
    });
  });

  it('reads appended arrays and the indexed arrays stripe-node sends', () => {
    expect(parseStripeForm('payment_method_types[]=card&payment_method_types[]=link')).toEqual({
      payment_method_types: ['card', 'link'],
    });
    expect(parseStripeForm('expand[0]=latest_charge&expand[1]=payment_method')).toEqual({
      expand: ['latest_charge', 'payment_method'],
    });
  });

  it('reads arrays of hashes and hashes of hashes', () => {
    expect(parseStripeForm('items[0][sku]=A&items[0][qty]=2&items[1][sku]=B&shipping[address][city]=Paris')).toEqual({
      items: [{ sku: 'A', qty: '2' }, { sku: 'B' }],
      shipping: { address: { city: 'Paris' } },
    });
  });

  it('keeps an empty value, which Stripe reads as "unset"', () => {
    expect(parseStripeForm('metadata=')).toEqual({ metadata: '' });
  });

  it('returns nothing for an empty body', () => {
    expect(parseStripeForm('')).toEqual({});
  });

  it.each([
    ['an unclosed bracket', 'metadata[a=1'],
    ['a key that starts with a bracket', '[a]=1'],
    ['a scalar then a hash under one name', 'metadata=x&metadata[a]=1'],
    ['a hash then an array under one name', 'a[b]=1&a[]=2'],
    ['an array index that skips ahead', 'a[5]=1'],
    ['prototype pollution', '__proto__[admin]=true'],
  ])('refuses %s', (_case, body) => {
    expect(() => parseStripeForm(body)).toThrow(FormSyntaxError);
  });
});
