import { customAlphabet } from 'nanoid';

const UPPER_ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const URL_SAFE = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const orderSuffix = customAlphabet(UPPER_ALPHANUMERIC, 10);
const sessionSuffix = customAlphabet(URL_SAFE, 24);
const genericSuffix = customAlphabet(URL_SAFE, 20);

/** Our order number, shown to shoppers and sent to retailers as the external reference. */
export const newOrderNumber = (): string => `MO-${orderSuffix()}`;
export const newCheckoutSessionId = (): string => `cs_${sessionSuffix()}`;
export const newId = (prefix: string): string => `${prefix}_${genericSuffix()}`;

export const ORDER_NUMBER_PATTERN = /^MO-[0-9A-Z]{10}$/;
