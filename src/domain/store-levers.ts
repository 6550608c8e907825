import type { PlacementMethod } from './placement-method';

export type LeverAction = 'pause' | 'resume' | 'switch_method';

export interface LeverEventRecord {
  id: string;
  action: LeverAction;
  actor: string;
  reason: string;
  fromMethod: PlacementMethod | null;
  toMethod: PlacementMethod | null;
  createdAt: Date;
}

export interface StoreLeversRecord {
  id: string;
  slug: string;
  name: string;
  placementMethod: PlacementMethod;
  fallbackMethod: PlacementMethod | null;
  methodOverride: PlacementMethod | null;
  pausedAt: Date | null;
  pausedBy: string | null;
  pauseReason: string | null;
}
