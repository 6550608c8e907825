export interface DisputeRecord {
  id: string;
  checkoutSessionId: string;
  paymentIntentId: string;
  chargeId: string | null;
  amountCents: number;
  currency: string;
  reason: string | null;
  status: string;
  attribution: 'whole_order' | 'spread';
  openedAt: Date;
  closedAt: Date | null;
  updatedAt: Date;
}

export interface OrderDispute extends DisputeRecord {
  /** The part of the dispute that falls to this order. */
  orderAmountCents: number;
}
