/**
 * Run statuses follow TFE: pending → planning → planned → confirmed → applying → applied, with
 * planned_and_finished (nothing to do), errored, canceled and discarded as other endings.
 * Pure rules only; the service and worker decide when to move.
 */
export const RUN_STATUSES = [
  'pending', 'planning', 'planned', 'confirmed', 'applying',
  'applied', 'planned_and_finished', 'errored', 'canceled', 'discarded',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const RUN_OPERATIONS = ['plan', 'apply', 'destroy', 'refresh'] as const;
export type RunOperation = (typeof RUN_OPERATIONS)[number];

export const RUN_SOURCES = ['pr_comment', 'autoplan', 'slack', 'mcp', 'api', 'atlantis_api', 'schedule', 'drift', 'trigger', 'tfe'] as const;
export type RunSource = (typeof RUN_SOURCES)[number];

export const TERMINAL_STATUSES: readonly RunStatus[] = ['applied', 'planned_and_finished', 'errored', 'canceled', 'discarded'];
/** statuses in which a terraform process runs (one per repo/dir/workspace, enforced by an index) */
export const ACTIVE_STATUSES: readonly RunStatus[] = ['planning', 'applying'];
/** statuses a worker may claim */
export const CLAIMABLE_STATUSES: readonly RunStatus[] = ['pending', 'confirmed'];
/** endings that stop whatever depends on the run */
export const UNSUCCESSFUL_STATUSES: readonly RunStatus[] = ['errored', 'canceled', 'discarded'];

export function isTerminal(status: RunStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Has the run reached a point where a waiting caller can answer (done, or waiting for a human)? */
export function isSettled(status: RunStatus): boolean {
  return isTerminal(status) || status === 'planned';
}

export function canApprove(status: RunStatus): boolean {
  return status === 'planned';
}

export function canCancel(status: RunStatus): boolean {
  return status === 'pending' || status === 'confirmed' || status === 'planned' || status === 'planning' || status === 'applying';
}

/** Canceling these needs the worker to stop a terraform process; the others are a row update. */
export function needsProcessStop(status: RunStatus): boolean {
  return ACTIVE_STATUSES.includes(status);
}

/** What a claimed run does next: the claim moved pending → planning and confirmed → applying. */
export function phaseOnClaim(status: RunStatus): 'plan' | 'apply' {
  return status === 'applying' || status === 'confirmed' ? 'apply' : 'plan';
}

/**
 * A plan-only run outside a pull request is speculative (as in TFE): nobody will apply it, so it
 * ends `planned_and_finished` whatever it found, keeps no plan file and holds no lock. A PR's plan
 * waits for `atlantis apply`; an apply or destroy run waits for its approval; a kept plan
 * (`keepPlan`, a Slack plan) waits, holding its lock, to be applied or discarded by run id.
 */
export function isSpeculative(run: { operation: RunOperation; prNumber: number | null; keepPlan?: boolean }): boolean {
  return run.operation === 'refresh' || (run.operation === 'plan' && !run.prNumber && !run.keepPlan);
}

/**
 * A run of an uploaded configuration (a TFE configuration version), not of a git commit: its
 * `ref` is the configuration version's id and its `commitSha` the archive's SHA-256, which names
 * the content itself (nothing can move it on, unlike a branch).
 */
export function isArchiveRun(run: { source: RunSource }): boolean {
  return run.source === 'tfe';
}

/** Where a finished plan leaves the run. */
export function statusAfterPlan(hasChanges: boolean, proceedToApply: boolean, speculative = false): RunStatus {
  if (!hasChanges || speculative) return 'planned_and_finished';
  return proceedToApply ? 'confirmed' : 'planned';
}
