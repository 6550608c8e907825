import type { PlacementItem, PlacementOrder } from '../placement-adapter';
import { countryName, stateName } from './place-names';
import type { TemplateValue } from './template';

export interface TemplateVariable {
  /** `item` variables exist only inside `forEachItem`. */
  scope: 'recipe' | 'item';
  description: string;
  /** Masked out of failure artifacts and never logged. */
  secret?: boolean;
}

/** Every variable a recipe template may use. docs/recipes.md lists the same set (a unit test keeps them in step). */
export const TEMPLATE_VARIABLES = {
  baseUrl: { scope: 'recipe', description: "the store config's baseUrl, without a trailing slash" },
  'credentials.username': { scope: 'recipe', description: 'retailer account username or email' },
  'credentials.password': { scope: 'recipe', description: 'retailer account password', secret: true },
  'payment.cardNumber': {
    scope: 'recipe',
    description: 'card number, digits only (needs config.payment)',
    secret: true,
  },
  'payment.expiry': { scope: 'recipe', description: 'card expiry as MM/YY', secret: true },
  'payment.expiryMonth': { scope: 'recipe', description: 'card expiry month, two digits' },
  'payment.expiryYear': { scope: 'recipe', description: 'card expiry year, four digits' },
  'payment.cvc': { scope: 'recipe', description: 'card security code', secret: true },
  'order.orderNumber': {
    scope: 'recipe',
    description: 'our order number (MO-…), the reference to leave at the retailer',
  },
  'order.storeSlug': { scope: 'recipe', description: "the store's slug" },
  'order.storeName': { scope: 'recipe', description: "the store's name" },
  'order.currency': { scope: 'recipe', description: 'ISO currency code' },
  'order.itemCount': { scope: 'recipe', description: 'number of order lines' },
  'order.subtotalCents': { scope: 'recipe', description: 'snapshot subtotal in cents' },
  'order.shippingCents': { scope: 'recipe', description: 'snapshot shipping in cents' },
  'order.taxCents': { scope: 'recipe', description: 'snapshot tax in cents' },
  'order.totalCents': { scope: 'recipe', description: 'snapshot total in cents' },
  'shipping.methodId': {
    scope: 'recipe',
    description: "the shopper's shipping choice: the store option's id (may be empty)",
  },
  'shipping.methodName': {
    scope: 'recipe',
    description: "the shopper's shipping choice: its name, e.g. Express (may be empty)",
  },
  'address.name': { scope: 'recipe', description: 'recipient full name' },
  'address.firstName': { scope: 'recipe', description: 'all but the last word of the name' },
  'address.lastName': { scope: 'recipe', description: 'the last word of the name' },
  'address.address1': { scope: 'recipe', description: 'street line 1' },
  'address.address2': { scope: 'recipe', description: 'street line 2 (may be empty)' },
  'address.city': { scope: 'recipe', description: 'city' },
  'address.state': { scope: 'recipe', description: 'two-letter state code' },
  'address.zip': { scope: 'recipe', description: 'ZIP or ZIP+4' },
  'address.country': { scope: 'recipe', description: 'ISO 3166-1 alpha-2 country' },
  'address.stateName': {
    scope: 'recipe',
    description: 'the state spelled out, e.g. Texas (US; other countries: the code)',
  },
  'address.countryName': { scope: 'recipe', description: 'the country spelled out in English, e.g. United States' },
  'address.phone': { scope: 'recipe', description: 'phone as stored, e.g. +14155550100' },
  'address.phoneDigits': { scope: 'recipe', description: 'national phone digits, e.g. 4155550100' },
  'item.sku': { scope: 'item', description: 'retailer SKU' },
  'item.name': { scope: 'item', description: 'product name' },
  'item.quantity': { scope: 'item', description: 'units to buy' },
  'item.size': { scope: 'item', description: 'size option (may be empty)' },
  'item.color': { scope: 'item', description: 'color option (may be empty)' },
  'item.unitPriceCents': { scope: 'item', description: 'snapshot unit price in cents' },
  'item.productUrl': { scope: 'item', description: 'product page URL from the catalog (may be empty)' },
  'item.position': { scope: 'item', description: '1-based position of the line in the order' },
} as const satisfies Record<string, TemplateVariable>;

export type TemplateVariableName = keyof typeof TEMPLATE_VARIABLES;

export interface RecipeInputs {
  baseUrl: string;
  credentials: { username: string; password: string };
  payment?: { cardNumber: string; expiry: string; cvc: string };
  order: PlacementOrder;
}

function splitName(name: string): { firstName: string; lastName: string } {
  const words = name.trim().split(/\s+/);
  if (words.length < 2) return { firstName: name.trim(), lastName: '' };
  return { firstName: words.slice(0, -1).join(' '), lastName: words.at(-1)! };
}

/** Values for every `recipe`-scoped variable. Payment variables exist only when a payment is configured. */
export function buildRecipeValues({
  baseUrl,
  credentials,
  payment,
  order,
}: RecipeInputs): Record<string, TemplateValue> {
  const address = order.shippingAddress;
  const { firstName, lastName } = splitName(address.name);
  const [expiryMonth, expiryYear] = payment ? payment.expiry.split('/') : [];
  return {
    baseUrl: baseUrl.replace(/\/+$/, ''),
    'credentials.username': credentials.username,
    'credentials.password': credentials.password,
    ...(payment && {
      'payment.cardNumber': payment.cardNumber,
      'payment.expiry': payment.expiry,
      'payment.expiryMonth': expiryMonth,
      'payment.expiryYear': `20${expiryYear}`,
      'payment.cvc': payment.cvc,
    }),
    'order.orderNumber': order.orderNumber,
    'order.storeSlug': order.storeSlug,
    'order.storeName': order.storeName,
    'order.currency': order.currency,
    'order.itemCount': order.items.length,
    'order.subtotalCents': order.subtotalCents,
    'order.shippingCents': order.shippingCents,
    'order.taxCents': order.taxCents,
    'order.totalCents': order.totalCents,
    'shipping.methodId': order.shippingOption?.id ?? '',
    'shipping.methodName': order.shippingOption?.name ?? '',
    'address.name': address.name,
    'address.firstName': firstName,
    'address.lastName': lastName,
    'address.address1': address.address1,
    'address.address2': address.address2,
    'address.city': address.city,
    'address.state': address.state,
    'address.zip': address.zip,
    'address.country': address.country,
    'address.stateName': stateName(address.country, address.state),
    'address.countryName': countryName(address.country),
    'address.phone': address.phone,
    'address.phoneDigits': address.phone.replace(/\D/g, '').replace(/^1(?=\d{10}$)/, ''),
  };
}

export function buildItemValues(item: PlacementItem, index: number): Record<string, TemplateValue> {
  return {
    'item.sku': item.sku,
    'item.name': item.name,
    'item.quantity': item.quantity,
    'item.size': item.size,
    'item.color': item.color,
    'item.unitPriceCents': item.unitPriceCents,
    'item.productUrl': item.productUrl,
    'item.position': index + 1,
  };
}

/** The values that must never reach a log line or an artifact. */
export function listSecretValues(values: Readonly<Record<string, TemplateValue>>): string[] {
  return Object.entries(TEMPLATE_VARIABLES)
    .filter(
      ([name, variable]) =>
        'secret' in variable && variable.secret && values[name] !== undefined && values[name] !== '',
    )
    .map(([name]) => String(values[name]));
}
