import { renderTemplate, TemplateError, findTemplateVariables } from './template';

describe('renderTemplate', () => {
  const values = { baseUrl: 'https://shop.example', 'item.quantity': 2, 'address.address2': undefined };

  it('replaces each placeholder, with or without inner spaces', () => {
    expect(renderTemplate('{{baseUrl}}/cart?qty={{ item.quantity }}', values)).toBe('https://shop.example/cart?qty=2');
  });

  it('renders a known variable without a value as an empty string', () => {
    expect(renderTemplate('[{{address.address2}}]', values)).toBe('[]');
  });

  it('leaves text without placeholders alone', () => {
    expect(renderTemplate('#place-order', values)).toBe('#place-order');
  });

  it('when a variable is unknown, then it throws naming the variable instead of rendering a blank', () => {
    expect(() => renderTemplate('{{adress.zip}}', values)).toThrow(
      new TemplateError('unknown template variable {{adress.zip}}'),
    );
  });

  it.each([['{{ base url }}'], ['{{}}'], ['{{baseUrl}']])(
    'when a placeholder is malformed (%s), then it throws',
    (template) => {
      expect(() => renderTemplate(template, values)).toThrow(TemplateError);
    },
  );
});

describe('findTemplateVariables', () => {
  it('lists the variables in order of use', () => {
    expect(findTemplateVariables('{{a.b}}-{{c}}-{{a.b}}')).toEqual(['a.b', 'c', 'a.b']);
  });
});

describe('template filters', () => {
  const values = { 'order.orderNumber': 'MO-00417', 'item.sku': 'a b/c', 'order.totalCents': 2599, sel: '1st#id' };

  it('pipes a value through filters left to right', () => {
    expect(renderTemplate('{{order.orderNumber | digits | stripLeadingZeros}}', values)).toBe('417');
    expect(renderTemplate('{{ order.orderNumber|lower }}', values)).toBe('mo-00417');
  });

  it('escapes for URLs and CSS selectors', () => {
    expect(renderTemplate('/p/{{item.sku | url}}', values)).toBe('/p/a%20b%2Fc');
    expect(renderTemplate('#{{sel | css}}', values)).toBe('#\\31 st\\#id');
  });

  it('formats cents as a decimal amount', () => {
    expect(renderTemplate('{{order.totalCents | dollars}}', values)).toBe('25.99');
  });

  it('keeps a single zero', () => {
    expect(renderTemplate('{{x | stripLeadingZeros}}', { x: '000' })).toBe('0');
  });

  it('when a filter is unknown, then it throws naming the filter', () => {
    expect(() => findTemplateVariables('{{order.orderNumber | strip}}')).toThrow(/unknown filter "strip"/);
  });
});
