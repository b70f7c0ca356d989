import type { CommitStatus } from '../ports/vcs-host.js';
import type { OutcomeStatus } from '../runs/run-outcome.js';

/**
 * The `atlantis/plan` and `atlantis/apply` commit statuses, with Atlantis's descriptions: pending
 * when a command starts, failure when it could not run, and the counts once its runs settle.
 * Every path that set a pending status ends in one of the other two. Pure.
 */
export type StatusKind = 'plan' | 'apply';

const TITLE: Record<StatusKind, string> = { plan: 'Plan', apply: 'Apply' };
const DONE: Record<StatusKind, string> = { plan: 'planned', apply: 'applied' };

export const statusContext = (kind: StatusKind) => `atlantis/${kind}`;

export function pendingStatus(kind: StatusKind): CommitStatus {
  return { state: 'pending', context: statusContext(kind), description: `${TITLE[kind]} in progress...` };
}

/** The command failed before any project ran (refused, or an error reading the repository). */
export function failedStatus(kind: StatusKind): CommitStatus {
  return { state: 'failure', context: statusContext(kind), description: `${TITLE[kind]} failed.` };
}

/** After the runs of a command settled: `2/2 projects planned successfully.` or `1/2 projects failed to plan.` */
export function settledStatus(kind: StatusKind, outcomes: readonly { status: OutcomeStatus }[]): CommitStatus {
  const total = outcomes.length;
  const ok = outcomes.filter((o) => o.status === 'success').length;
  if (ok === total) return { state: 'success', context: statusContext(kind), description: `${ok}/${total} projects ${DONE[kind]} successfully.` };
  return { state: 'failure', context: statusContext(kind), description: `${total - ok}/${total} projects failed to ${kind}.` };
}
