import { PermanentPlacementError, TransientPlacementError, type PermanentPlacementCode } from '../placement-adapter';

/** The order as the Shop API answers it, with the fields the checkout reads. */
export interface ShopOrder {
  code: string;
  state: string;
  totalWithTax: number;
  currencyCode: string;
  lines: { quantity: number; productVariant: { sku: string } }[];
}

export const ORDER = 'code state totalWithTax currencyCode lines { quantity productVariant { sku } }';
/**
 * Every Shop API mutation answers an Order or a typed ErrorResult; these are the fields the mapping reads. GraphQL
 * refuses a fragment on a type outside the mutation's union, so each mutation names the extra errors it can answer.
 */
const ERROR_DETAILS = {
  stock: '... on InsufficientStockError { quantityAvailable }',
  transition: '... on OrderStateTransitionError { transitionError }',
  payment: '... on PaymentDeclinedError { paymentErrorMessage } ... on PaymentFailedError { paymentErrorMessage }',
};
export const orderOrError = (...details: (keyof typeof ERROR_DETAILS)[]) =>
  `__typename ... on Order { ${ORDER} } ... on ErrorResult { errorCode message } ${details.map((detail) => ERROR_DETAILS[detail]).join(' ')}`;
export const ORDER_OR_ERROR = orderOrError();

export type OrderOrError = Partial<ShopOrder> & {
  __typename: string;
  errorCode?: string;
  message?: string;
  quantityAvailable?: number;
  transitionError?: string;
  paymentErrorMessage?: string;
};

/** ErrorResults that mean "the shop will not sell this as asked": the order goes to the fallback or is refunded. */
const REFUSALS: Record<string, PermanentPlacementCode> = {
  INSUFFICIENT_STOCK_ERROR: 'out_of_stock',
  PAYMENT_DECLINED_ERROR: 'rejected',
  PAYMENT_FAILED_ERROR: 'rejected',
  INELIGIBLE_PAYMENT_METHOD_ERROR: 'config_invalid',
  GUEST_CHECKOUT_ERROR: 'config_invalid',
  EMAIL_ADDRESS_CONFLICT_ERROR: 'config_invalid',
  ALREADY_LOGGED_IN_ERROR: 'config_invalid',
  INELIGIBLE_SHIPPING_METHOD_ERROR: 'address_rejected',
};
/** The order's state moved under us (another session, an admin): the retry finds where it is and resumes. */
const RACES = new Set(['ORDER_PAYMENT_STATE_ERROR', 'ORDER_MODIFICATION_ERROR', 'NO_ACTIVE_ORDER_ERROR']);

/** The Order a mutation answered, or the refusal it stands for, thrown. */
export function orderOf(step: string, result: OrderOrError): ShopOrder {
  if (result.__typename === 'Order') return result as ShopOrder;
  const code = result.errorCode ?? result.__typename;
  const detail = result.transitionError ?? result.paymentErrorMessage ?? result.message ?? code;
  const details = { step, vendureErrorCode: code, vendureMessage: detail, quantityAvailable: result.quantityAvailable };
  if (code === 'ORDER_STATE_TRANSITION_ERROR') {
    // Another buyer took the last units between our add and this transition.
    const outOfStock = /insufficient stock/i.test(detail);
    return refuse(outOfStock ? 'out_of_stock' : 'rejected', `vendure ${step}: ${detail}`, details);
  }
  if (RACES.has(code)) throw new TransientPlacementError(`vendure ${step}: ${detail}`);
  return refuse(REFUSALS[code] ?? 'rejected', `vendure ${step}: ${detail}`, details);
}

function refuse(code: PermanentPlacementCode, message: string, details: Record<string, unknown>): never {
  throw new PermanentPlacementError(code, message, details);
}
