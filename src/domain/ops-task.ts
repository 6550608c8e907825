export type OpsTaskKind = 'place_order' | 'price_review' | 'cancel_order';
export type OpsTaskStatus = 'open' | 'claimed' | 'done' | 'failed' | 'cancelled';

export interface OpsTaskRecord {
  id: string;
  orderId: string;
  orderNumber: string;
  kind: OpsTaskKind;
  status: OpsTaskStatus;
  payload: Record<string, unknown>;
  claimedBy: string | null;
  claimedAt: Date | null;
  resolvedBy: string | null;
  resolvedAt: Date | null;
  storeOrderNumber: string | null;
  failureReason: string | null;
  createdAt: Date;
}
