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
    expect(() => renderTemplate('{{adress.zip}}', values)).toThrow(new TemplateError('unknown template variable {{adress.zip}}'));
  });

  it.each([['{{ base url }}'], ['{{}}'], ['{{baseUrl}']])('when a placeholder is malformed (%s), then it throws', (template) => {
    expect(() => renderTemplate(template, values)).toThrow(TemplateError);
  });
});

describe('findTemplateVariables', () => {
  it('lists the variables in order of use', () => {
    expect(findTemplateVariables('{{a.b}}-{{c}}-{{a.b}}')).toEqual(['a.b', 'c', 'a.b']);
  });
});
