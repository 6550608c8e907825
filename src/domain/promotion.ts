import { DomainError } from './errors';

export type PromotionKind = 'fixed_amount' | 'percent' | 'free_shipping';

/** A promo code as admins define it. Amounts in cents; a percent is whole percent of the cart's subtotal. */
export interface Promotion {
  id: string;
  code: string;
  kind: PromotionKind;
  amountCents: number | null;
  percentOff: number | null;
  minSubtotalCents: number;
  firstOrderOnly: boolean;
  perCustomerLimit: number | null;
  totalLimit: number | null;
  startsAt: Date | null;
  endsAt: Date | null;
  active: boolean;
  description: string | null;
}

/** The code as a checkout session freezes it: enough to price, show and redeem it, whatever admins change later. */
export interface FrozenPromotion {
  promotionId: string;
  code: string;
  kind: PromotionKind;
  amountCents: number | null;
  percentOff: number | null;
}

/** Codes are matched without regard to case or surrounding spaces. */
export const normalizeCode = (code: string) => code.trim().toUpperCase();

export const freeze = (promotion: Promotion): FrozenPromotion => ({
  promotionId: promotion.id,
  code: promotion.code,
  kind: promotion.kind,
  amountCents: promotion.amountCents,
  percentOff: promotion.percentOff,
});

/** What the shopper's situation is, as far as a code's conditions care. */
export interface RedemptionContext {
  now: Date;
  subtotalCents: number;
  /** The shopper has no paid checkout yet. */
  firstOrder: boolean;
  /** Live uses (held or redeemed) of this code: by this shopper, and by everyone. */
  customerUses: number;
  totalUses: number;
}

/**
 * Whether a code may be used now, as the contract's 422 error when it may not. The same rule decides applying a
 * code to a cart and freezing it into a checkout; the limits are decided once more, under the code's row lock,
 * when a place is about to charge.
 */
export function refusalFor(promotion: Promotion | null, context: RedemptionContext): DomainError | null {
  if (!promotion || !promotion.active) return new DomainError('promo_code_invalid', 'This promo code does not exist');
  const code = promotion.code;
  if (promotion.startsAt && context.now < promotion.startsAt) {
    return new DomainError('promo_code_not_started', `${code} is not valid yet`, {
      startsAt: promotion.startsAt.toISOString(),
    });
  }
  if (promotion.endsAt && context.now >= promotion.endsAt) {
    return new DomainError('promo_code_expired', `${code} has expired`, { endsAt: promotion.endsAt.toISOString() });
  }
  if (context.subtotalCents < promotion.minSubtotalCents) {
    return new DomainError(
      'promo_code_not_eligible',
      `${code} needs a subtotal of at least ${promotion.minSubtotalCents} cents`,
      {
        reason: 'min_subtotal',
        minSubtotalCents: promotion.minSubtotalCents,
        subtotalCents: context.subtotalCents,
      },
    );
  }
  if (promotion.firstOrderOnly && !context.firstOrder) {
    return new DomainError('promo_code_not_eligible', `${code} is for a first order only`, {
      reason: 'first_order_only',
    });
  }
  return limitRefusal(promotion, context);
}

/** The use limits alone: checked again under the code's row lock when a place holds a use. */
export function limitRefusal(
  promotion: Pick<Promotion, 'code' | 'perCustomerLimit' | 'totalLimit'>,
  uses: Pick<RedemptionContext, 'customerUses' | 'totalUses'>,
): DomainError | null {
  if (promotion.totalLimit !== null && uses.totalUses >= promotion.totalLimit) {
    return new DomainError('promo_code_exhausted', `${promotion.code} has been used up`, {
      totalLimit: promotion.totalLimit,
    });
  }
  if (promotion.perCustomerLimit !== null && uses.customerUses >= promotion.perCustomerLimit) {
    return new DomainError(
      'promo_code_limit_reached',
      `You have already used ${promotion.code} as often as it allows`,
      {
        perCustomerLimit: promotion.perCustomerLimit,
      },
    );
  }
  return null;
}

export interface PromotionWithUses extends Promotion {
  /** Live uses: redeemed by a paid checkout, or held by one being paid. */
  uses: number;
  redeemed: number;
}
