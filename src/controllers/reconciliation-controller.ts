import type { Request, Response } from 'express';
import { DomainError } from '../domain/errors';
import { send, sendPage } from '../http/respond';
import { parseInput } from '../http/validate';
import { RunIdParam, RunListQuery } from '../http/schemas/reconciliation';
import type { ReconciliationRun } from '../domain/reconciliation';
import type { ReconciliationService } from '../services/reconciliation-service';

const presentRun = (run: ReconciliationRun) => ({
  runId: run.id,
  periodStart: run.periodStart.toISOString(),
  periodEnd: run.periodEnd.toISOString(),
  trigger: run.trigger,
  status: run.status,
  startedAt: run.startedAt.toISOString(),
  finishedAt: run.finishedAt?.toISOString() ?? null,
  driftCount: run.driftCount,
  driftByKind: run.driftByKind,
  error: run.error,
});

/** What ops see of reconciliation with Stripe: the runs, and one run's drift. */
export function createReconciliationController(reconciliation: ReconciliationService) {
  return {
    async listRuns(req: Request, res: Response) {
      const query = parseInput(RunListQuery, req.query, 'query');
      const { runs, totalRuns } = await reconciliation.listRuns(query.limit, query.offset);
      sendPage(res, runs.map(presentRun), { totalRuns, limit: query.limit, offset: query.offset });
    },
    async getRun(req: Request, res: Response) {
      const { runId } = parseInput(RunIdParam, req.params, 'runId');
      const run = await reconciliation.findRun(runId);
      if (!run) throw new DomainError('not_found', 'Reconciliation run not found');
      send(res, { ...presentRun(run), report: run.report ?? null });
    },
  };
}
