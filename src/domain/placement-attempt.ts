import type { PlacementMethod } from './placement-method';

export type AttemptOutcome = 'placed' | 'deferred' | 'transient_error' | 'permanent_error' | 'price_mismatch';

export interface PlacementFailureRecord {
  orderNumber: string;
  orderStatus: string;
  method: PlacementMethod;
  attempt: number;
  outcome: AttemptOutcome;
  errorCode: string | null;
  message: string | null;
  details: Record<string, unknown>;
  createdAt: Date;
}
