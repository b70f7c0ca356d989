import { systemActors } from '../auth/system-actors.js';
import type { RunsService } from '../runs/runs.service.js';
import type { Run } from '../runs/run.model.js';
import { runOutcome, type RunOutcome } from '../runs/run-outcome.js';
import type { CommitStatus } from '../ports/vcs-host.js';
import { settledStatus } from './commit-status.js';
import type { PrBatch, PrBatchRepository, PrFailure } from './pr-batch.repository.js';

/** One project of a settled PR command: a run with its outcome and output, or a refusal. */
export type ReportedProject =
  | { run: Run; outcome: RunOutcome; output: string; failure?: undefined }
  | { run?: undefined; outcome: RunOutcome; failure: PrFailure };

export interface PrReport {
  batch: PrBatch;
  projects: ReportedProject[];
  /** the commit statuses to set once the comment is posted */
  statuses: CommitStatus[];
}

/**
 * The results of PR commands whose runs have settled, for a reporter to post. Batches are claimed
 * from the database (SKIP LOCKED), so any replica reports them exactly once, and a batch whose
 * reporter died is taken over. The outcome of each project and the statuses are decided here.
 */
export class PrReports {
  constructor(private readonly deps: { batches: PrBatchRepository; runs: RunsService }) {}

  async claimSettled(reporterId: string, limit: number): Promise<PrReport[]> {
    const batches = await this.deps.batches.claimSettled(reporterId, limit);
    return Promise.all(batches.map((b) => this.report(b)));
  }

  markReported(batchId: string): Promise<void> {
    return this.deps.batches.markReported(batchId);
  }

  /** Posting failed (GitHub down): another round may try again. */
  release(batchId: string): Promise<void> {
    return this.deps.batches.release(batchId);
  }

  private async report(batch: PrBatch): Promise<PrReport> {
    const actor = systemActors.prReporter(batch.tenantId);
    const runs = await this.deps.runs.byIds(actor, batch.runIds);
    const projects: ReportedProject[] = [
      ...(await Promise.all(runs.map(async (run) => ({ run, outcome: runOutcome(batch.kind, run), output: await this.deps.runs.output(actor, run.id, batch.kind) })))),
      ...batch.failures.map((failure) => ({ failure, outcome: { status: 'failure' as const, failure: failure.failure } })),
    ];
    // Nothing to plan (no project touched): both statuses succeed with 0/0, as in Atlantis.
    const statuses = projects.length
      ? [settledStatus(batch.kind, projects.map((p) => p.outcome))]
      : (['plan', 'apply'] as const).map((k) => settledStatus(k, []));
    return { batch, projects, statuses };
  }
}
