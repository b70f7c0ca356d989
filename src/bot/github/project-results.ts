import type { PrBatch, PrFailure } from '../../core/pull-requests/pr-batch.repository.js';
import type { Run } from '../../core/runs/run.model.js';
import { planCounts, runOutcome } from '../../core/runs/run-outcome.js';
import { lockHeldFailure, type ProjectResult, type ResourceAction } from './render.js';

/** A finished run as the comment renderer sees it: core's outcome, in Atlantis's shapes. Pure. */
export function runResult(kind: PrBatch['kind'], run: Run, output: string, runUrl?: string): ProjectResult {
  const base = { command: kind, projectName: run.projectName, dir: run.dir, workspace: run.workspace, runUrl, extraArgs: run.extraArgs, verboseLog: output };
  const outcome = runOutcome(kind, run);
  if (outcome.status === 'error') return { ...base, status: 'error', error: outcome.error, output };
  if (outcome.status === 'failure') return { ...base, status: 'failure', failure: outcome.failure };
  if (kind === 'apply') return { ...base, status: 'success', output, applySummary: run.statusReason ?? undefined };
  const counts = planCounts(run);
  return {
    ...base, status: 'success', output,
    plan: counts ? {
      ...counts, changesOutside: (run.resourceDrift?.length ?? 0) > 0,
      resourceChanges: (run.resourceChanges ?? []).filter((c) => c.action !== 'no-op').map((c) => ({ address: c.address, action: c.action as ResourceAction })),
    } : undefined,
  };
}

/** A project that was refused before running (lock held, requirement unmet, stale plan). */
export function failureResult(kind: PrBatch['kind'], f: PrFailure, executableName: string): ProjectResult {
  const failure = f.locked ? lockHeldFailure(f.failure, executableName) : f.failure;
  return { command: kind, projectName: f.projectName, dir: f.dir, workspace: f.workspace, status: 'failure', failure };
}
