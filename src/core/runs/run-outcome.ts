import type { Run } from './run.model.js';

/**
 * What a run of a command came to, for a person: the one classification every surface renders
 * (PR comments, the Atlantis API, later Slack and MCP). Pure.
 *
 * - success: the command did what was asked (a plan, with or without changes; an apply).
 * - failure: it did not run, or stopped short on purpose (canceled, discarded, waiting for a
 *   human's approval); `failure` says why.
 * - error: terraform or the system failed; `error` holds the message or terraform's stderr.
 */
export type OutcomeStatus = 'success' | 'failure' | 'error';

export interface RunOutcome {
  status: OutcomeStatus;
  failure?: string;
  error?: string;
}

export interface PlanCounts {
  hasChanges: boolean;
  toAdd: number;
  toChange: number;
  toDestroy: number;
  toImport: number;
  summary: string;
}

/** `command` is what the caller asked for: an apply is done only once its plan was applied. */
export function runOutcome(command: 'plan' | 'apply', run: Run): RunOutcome {
  if (run.status === 'errored') return { status: 'error', error: run.error ?? run.statusReason ?? 'the run failed' };
  if (run.status === 'canceled' || run.status === 'discarded') return { status: 'failure', failure: run.statusReason ?? `the run was ${run.status}` };
  const done = command === 'plan' ? ['planned', 'planned_and_finished'] : ['applied', 'planned_and_finished'];
  if (done.includes(run.status)) return { status: 'success' };
  if (run.status === 'planned') return { status: 'failure', failure: `run ${run.id} is planned and waiting for approval` };
  return { status: 'error', error: `run ${run.id} did not finish in time (status ${run.status}); follow it at /api/v1/runs/${run.id}/events` };
}

/** The plan's counts, once the run has planned. */
export function planCounts(run: Run): PlanCounts | null {
  if (run.hasChanges === null) return null;
  return {
    hasChanges: run.hasChanges, toAdd: run.resourcesAdded ?? 0, toChange: run.resourcesChanged ?? 0,
    toDestroy: run.resourcesDestroyed ?? 0, toImport: run.resourcesImported ?? 0, summary: run.summary ?? '',
  };
}

/** The log phase that holds what a command's result shows: the apply output once applied. */
export function outputPhase(command: 'plan' | 'apply', run: Run): 'plan' | 'apply' {
  return command === 'apply' && run.status === 'applied' ? 'apply' : 'plan';
}
