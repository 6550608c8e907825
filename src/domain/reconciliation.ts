export interface ReconciliationRun {
  id: string;
  periodStart: Date;
  periodEnd: Date;
  trigger: 'daily' | 'manual';
  status: 'running' | 'finished' | 'failed';
  startedAt: Date;
  finishedAt: Date | null;
  driftCount: number | null;
  report: unknown;
  /** Drift found, by kind (null until finished). */
  driftByKind: Record<string, number> | null;
  error: string | null;
}
