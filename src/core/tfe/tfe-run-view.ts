import { can, mayApplyWithoutApproval, type Actor } from '../actor.js';
import type { Run } from '../runs/run.model.js';
import { canApprove, canCancel, isTerminal, type RunStatus } from '../runs/run-status.js';
import type { TfeRunRow } from './tfe-run.repository.js';

/**
 * How an Atlantas run reads as a TFE run, plan and apply: statuses, the `actions` the CLI acts
 * on and the caller's `permissions`. Pure.
 */
/** Atlantas's run statuses are TFE's (run-status.ts), so a TFE run's status is its run's. */
export type TfeRunStatus = RunStatus;
export type TfePhaseStatus = 'pending' | 'queued' | 'running' | 'finished' | 'errored' | 'canceled' | 'unreachable';

export interface TfeRunView {
  run: Run;
  tfe: TfeRunRow;
  status: TfeRunStatus;
  planStatus: TfePhaseStatus;
  applyStatus: TfePhaseStatus;
  actions: { 'is-cancelable': boolean; 'is-confirmable': boolean; 'is-discardable': boolean; 'is-force-cancelable': boolean };
  permissions: { 'can-apply': boolean; 'can-cancel': boolean; 'can-discard': boolean; 'can-force-cancel': boolean; 'can-force-execute': boolean };
}

export const FINAL_PHASE: readonly TfePhaseStatus[] = ['finished', 'errored', 'canceled', 'unreachable'];

export function planStatus(run: Run): TfePhaseStatus {
  switch (run.status) {
    case 'pending':
      return 'pending';
    case 'planning':
      return 'running';
    case 'errored':
      return run.plannedAt ? 'finished' : 'errored';
    case 'canceled':
      return run.plannedAt ? 'finished' : 'canceled';
    case 'discarded':
      return run.plannedAt ? 'finished' : 'unreachable';
    default:
      return 'finished';
  }
}

export function applyStatus(run: Run): TfePhaseStatus {
  const approved = !!run.approvedAt;
  switch (run.status) {
    case 'pending':
    case 'planning':
    case 'planned':
      return 'pending';
    case 'confirmed':
      return 'queued';
    case 'applying':
      return 'running';
    case 'applied':
      return 'finished';
    case 'errored':
      return approved && run.plannedAt ? 'errored' : 'unreachable';
    case 'canceled':
      return approved && run.plannedAt ? 'canceled' : 'unreachable';
    default:
      return 'unreachable';
  }
}

export function tfeRunView(actor: Actor, run: Run, tfe: TfeRunRow): TfeRunView {
  const cancelable = canCancel(run.status) && !run.cancelRequestedAt;
  const confirmable = canApprove(run.status);
  const mayApply = can(actor, 'run:apply') && (mayApplyWithoutApproval(actor) || !!actor.agentPolicy);
  return {
    run, tfe, status: run.status, planStatus: planStatus(run), applyStatus: applyStatus(run),
    actions: {
      'is-cancelable': cancelable, 'is-confirmable': confirmable, 'is-discardable': confirmable,
      'is-force-cancelable': !isTerminal(run.status) && !!run.cancelRequestedAt,
    },
    permissions: {
      'can-apply': mayApply, 'can-cancel': can(actor, 'run:cancel'), 'can-discard': can(actor, 'run:cancel'),
      'can-force-cancel': can(actor, 'run:cancel'), 'can-force-execute': false,
    },
  };
}
