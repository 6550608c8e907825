import type { z } from 'zod';
import type { StoreCheck, StoreContext } from '../placement-adapter';
import { problemsOf } from './platform-connector';
import type { VendureApi } from './vendure-graphql';
import { shippingOptionsCheck } from './vendure-shipping';

interface CheckedConfig {
  paymentMethodCode: string;
  shippingMethodCode?: string;
}

const failure = (name: string, error: unknown): StoreCheck => ({ name, ok: false, message: (error as Error).message });

/**
 * A Vendure store's dry check: the config, the Shop API (reach), the Admin API sign-in (authenticate), the payment
 * method we buy with, the shipping method (and the store's shipping option ids, which must be the shop's method
 * codes), and one of the store's products priced at Vendure. Reads only.
 */
export async function checkVendureStore(
  schema: z.ZodType<CheckedConfig>,
  context: StoreContext,
  apiFor: (config: CheckedConfig) => VendureApi,
): Promise<StoreCheck[]> {
  const parsed = schema.safeParse(context.config);
  if (!parsed.success) {
    const problems = Object.entries(problemsOf(parsed.error.issues)).map(([field, problem]) => `${field} ${problem}`);
    return [{ name: 'config', ok: false, message: problems.join('; ') }];
  }
  const config = parsed.data;
  const api = apiFor(config);
  const checks: StoreCheck[] = [{ name: 'config', ok: true, message: 'placementConfig is complete' }];

  try {
    const { data } = await api.shop<{ activeChannel: { code: string; currencyCode: string } }>(
      'check_reach',
      '{ activeChannel { code currencyCode } }',
    );
    checks.push({
      name: 'reach',
      ok: true,
      message: `the Shop API answers (channel ${data.activeChannel.code}, prices in ${data.activeChannel.currencyCode})`,
    });
  } catch (error) {
    checks.push(failure('reach', error));
  }

  try {
    await api.admin<{ me: { identifier: string } | null }>('check_sign_in', '{ me { identifier } }');
    checks.push({ name: 'authenticate', ok: true, message: 'signed in to the Admin API' });
  } catch (error) {
    return [...checks, failure('authenticate', error)];
  }

  try {
    const { paymentMethods } = await api.admin<{ paymentMethods: { items: { code: string; enabled: boolean }[] } }>(
      'check_payment_method',
      'query Payment($code: String!) { paymentMethods(options: { filter: { code: { eq: $code } } }) { items { code enabled } } }',
      { code: config.paymentMethodCode },
    );
    const method = paymentMethods.items[0];
    checks.push(
      method?.enabled
        ? { name: 'payment_method', ok: true, message: `payment method ${method.code} is enabled` }
        : {
            name: 'payment_method',
            ok: false,
            message: `payment method ${config.paymentMethodCode} ${method ? 'is disabled' : 'does not exist'} at this Vendure`,
          },
    );
  } catch (error) {
    checks.push(failure('payment_method', error));
  }

  try {
    const { shippingMethods } = await api.admin<{ shippingMethods: { items: { code: string }[] } }>(
      'check_shipping_methods',
      '{ shippingMethods { items { code } } }',
    );
    const codes = shippingMethods.items.map((method) => method.code);
    const wanted = config.shippingMethodCode;
    checks.push(
      wanted
        ? {
            name: 'shipping_method',
            ok: codes.includes(wanted),
            message: codes.includes(wanted)
              ? `shipping method ${wanted} exists`
              : `no shipping method ${wanted} (the shop has: ${codes.join(', ') || 'none'})`,
          }
        : {
            name: 'shipping_method',
            ok: codes.length > 0,
            message:
              codes.length > 0
                ? `the cheapest eligible of ${codes.join(', ')} is chosen per order`
                : 'the shop has no shipping method',
          },
    );
    if (context.shippingOptionIds?.length) checks.push(shippingOptionsCheck(context.shippingOptionIds, codes));
  } catch (error) {
    checks.push(failure('shipping_method', error));
  }

  const product = context.sampleProduct;
  if (!product)
    return [...checks, { name: 'price', ok: false, message: 'the store has no product in our catalog to price' }];
  try {
    const { productVariants } = await api.admin<{
      productVariants: {
        items: {
          sku: string;
          price: number;
          priceWithTax: number;
          currencyCode: string;
          enabled: boolean;
          stockLevel: string;
        }[];
      };
    }>(
      'check_price',
      'query Price($sku: String!) { productVariants(options: { filter: { sku: { eq: $sku } } }) { items { sku price priceWithTax currencyCode enabled stockLevel } } }',
      { sku: product.sku },
    );
    const variant = productVariants.items[0];
    if (!variant || !variant.enabled) {
      checks.push({
        name: 'price',
        ok: false,
        message: `${product.sku} is ${variant ? 'disabled' : 'not sold'} at this Vendure`,
      });
    } else {
      const comparison =
        variant.price === product.priceCents ? 'the same as our catalog' : `our catalog says ${product.priceCents}`;
      checks.push({
        name: 'price',
        ok: true,
        message: `${product.sku} costs ${variant.price} ${variant.currencyCode} cents before tax (${variant.priceWithTax} with tax; ${comparison}), stock ${variant.stockLevel}`,
      });
    }
  } catch (error) {
    checks.push(failure('price', error));
  }
  return checks;
}
