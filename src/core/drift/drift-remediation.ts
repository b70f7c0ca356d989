import type { Run } from '../runs/run.model.js';
import { isTerminal } from '../runs/run-status.js';
import { runOutcome } from '../runs/run-outcome.js';
import type { DriftCounts } from './drift-record.js';

/**
 * A remediation (POST /api/drift/remediate): the runs it queued, per project, and what each came
 * to. Pure: the status is derived from the runs every time it is read, so an apply approved an
 * hour later shows up as `success` without anyone updating the remediation.
 */
export type RemediationAction = 'plan' | 'apply';
export type RemediationStatus = 'pending' | 'running' | 'success' | 'failed' | 'partial';

export interface RemediationDrift extends DriftCounts {
  summary: string;
  changesOutside: boolean;
}

/** What a remediation stored for one project when it was asked for. */
export interface RemediationEntry {
  projectName: string;
  dir: string;
  workspace: string;
  runId: string | null;
  /** why nothing was queued (a lock held elsewhere), in Atlantas's words */
  failure: string | null;
  driftBefore: RemediationDrift | null;
}

export interface Remediation {
  id: string;
  tenantId: string;
  repoFullName: string;
  ref: string;
  action: RemediationAction;
  driftOnly: boolean;
  actorName: string;
  projects: RemediationEntry[];
  startedAt: Date;
}

export interface RemediationProjectView extends RemediationEntry {
  status: RemediationStatus;
  error: string | null;
  /** the apply waits for a person's approval (an automated caller asked) */
  awaitingApproval: boolean;
  driftAfter: RemediationDrift | null;
  run: Run | null;
}

export interface RemediationView extends Omit<Remediation, 'projects'> {
  status: RemediationStatus;
  completedAt: Date | null;
  projects: RemediationProjectView[];
  successCount: number;
  failureCount: number;
}

export function viewRemediation(r: Remediation, runs: Map<string, Run>): RemediationView {
  const projects = r.projects.map((e) => projectView(r.action, e, e.runId ? runs.get(e.runId) ?? null : null));
  const done = projects.filter((p) => p.status === 'success' || p.status === 'failed');
  const successCount = projects.filter((p) => p.status === 'success').length;
  const failureCount = projects.filter((p) => p.status === 'failed').length;
  let status: RemediationStatus;
  if (done.length < projects.length) status = projects.every((p) => p.status === 'pending') ? 'pending' : 'running';
  else if (failureCount === 0) status = 'success';
  else status = successCount === 0 ? 'failed' : 'partial';
  const finished = projects.map((p) => p.run?.finishedAt).filter((d): d is Date => !!d);
  const completedAt = status === 'pending' || status === 'running' ? null : finished.length ? new Date(Math.max(...finished.map((d) => new Date(d).getTime()))) : r.startedAt;
  return { ...r, status, completedAt, projects, successCount, failureCount };
}

function projectView(action: RemediationAction, e: RemediationEntry, run: Run | null): RemediationProjectView {
  const base = { ...e, run, awaitingApproval: false, driftAfter: null };
  if (!run) return { ...base, status: 'failed', error: e.failure ?? 'the run is gone' };
  if (!isTerminal(run.status) && run.status !== 'planned') {
    return { ...base, status: run.status === 'pending' ? 'pending' : 'running', error: null };
  }
  if (action === 'apply' && run.status === 'planned') {
    return { ...base, status: 'pending', error: null, awaitingApproval: true, driftAfter: afterPlan(run) };
  }
  const outcome = runOutcome(action, run);
  if (outcome.status !== 'success') return { ...base, status: 'failed', error: outcome.error ?? outcome.failure ?? `the run ended ${run.status}` };
  const driftAfter = action === 'apply' && run.status === 'applied'
    ? { toAdd: 0, toChange: 0, toDestroy: 0, toImport: 0, summary: 'Apply completed successfully', changesOutside: false }
    : afterPlan(run);
  return { ...base, status: 'success', error: null, driftAfter };
}

/** What the remediation's plan would still change. */
function afterPlan(run: Run): RemediationDrift {
  return {
    toAdd: run.resourcesAdded ?? 0, toChange: run.resourcesChanged ?? 0, toDestroy: run.resourcesDestroyed ?? 0, toImport: run.resourcesImported ?? 0,
    summary: run.summary ?? '', changesOutside: (run.resourceDrift?.length ?? 0) > 0,
  };
}
