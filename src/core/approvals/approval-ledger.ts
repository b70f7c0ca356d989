import type { Sequelize, Transaction } from 'sequelize';
import type { Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import { inTransaction } from '../db/transaction.js';
import type { Notifier } from '../notifications/notification.js';
import type { Run } from '../runs/run.model.js';
import type { ProjectsService } from '../projects/projects.service.js';
import type { PolicyVerdict, RunApprovalHook } from '../runs/runs.service.js';
import { policyRefusal } from './agent-policy.js';
import type { ApprovalRequest } from './approval.model.js';
import type { ApprovalRepository } from './approval.repository.js';

export type RequestedAction = Pick<ApprovalRequest, 'action' | 'targetType' | 'targetId' | 'projectId' | 'runId' | 'reason' | 'summary'>;

/**
 * Writes approval requests and decisions with their audit entries and Notifier events (who
 * asked, through what, why; who decided, where). It is also the runs' hook: an agent's direct
 * approve of a run becomes a request, and a person approving a run directly (a PR's
 * `atlantis apply`) decides what an agent asked for it, inside the run's transaction.
 */
export class ApprovalLedger implements RunApprovalHook {
  constructor(private readonly deps: { sequelize: Sequelize; repo: ApprovalRepository; audit: AuditLog; notifier: Notifier; clock: Clock; ttlMs: number; projects: ProjectsService }) {}

  /**
   * RunApprovalHook: may this automated actor apply this planned run without a person? Only when
   * its token's policy names the project and the plan stays within max_destroy; a pull request's
   * apply requirements are the PR workflow's to check, so no policy skips them.
   */
  async policyVerdict(actor: Actor, run: Run): Promise<PolicyVerdict> {
    if (run.prNumber && run.applyRequirements.length) {
      return { allowed: false, why: `run ${run.id} belongs to pull request #${run.prNumber}, which requires ${run.applyRequirements.join(', ')}: a person applies it there` };
    }
    const project = run.projectId ? (await this.deps.projects.require(actor, run.projectId)).name : run.projectName || run.dir;
    const why = policyRefusal(actor.agentPolicy, project, run.resourcesDestroyed);
    return why ? { allowed: false, why } : { allowed: true, note: `auto_apply ${project}` };
  }

  /** A pending request (the one already pending for the same action and target, if any). */
  async request(actor: Actor, what: RequestedAction): Promise<ApprovalRequest> {
    const now = this.deps.clock.now();
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const { request, created } = await this.deps.repo.insertOrPending({
        tenantId: actor.tenantId, ...what, requestedByKind: actor.kind, requestedByUserId: actor.userId ?? null,
        requestedByTokenId: actor.tokenId ?? null, requestedByName: actor.name, requestedVia: actor.via, expiresAt: new Date(now.getTime() + this.deps.ttlMs),
      }, now, transaction);
      if (!created) return request;
      await this.deps.audit.record(actor, 'approval.request', { type: 'approval', id: request.id },
        { action: what.action, target: `${what.targetType}:${what.targetId}`, reason: what.reason, token: actor.tokenId ?? null }, { transaction });
      await this.deps.notifier.publish({ kind: 'approval.requested', tenantId: actor.tenantId, projectId: what.projectId, approvalId: request.id, ...(what.runId ? { runId: what.runId } : {}) }, { transaction });
      return request;
    });
  }

  /** RunApprovalHook: an automated actor approving a planned run directly (REST) asks a person instead. */
  async requestRunApply(actor: Actor, run: Run, reason: string): Promise<ApprovalRequest> {
    return this.request(actor, runApplyRequest(run, reason));
  }

  async approvedByHuman(actor: Actor, runId: string, transaction: Transaction): Promise<void> {
    const decider = { userId: actor.userId ?? null, name: actor.name, via: actor.via, note: null, at: this.deps.clock.now() };
    for (const row of await this.deps.repo.approvePendingOfRun(actor.tenantId, runId, decider, transaction)) await this.record(actor, row, transaction);
  }

  async record(actor: Actor, row: ApprovalRequest, transaction: Transaction): Promise<void> {
    await this.deps.audit.record(actor, row.status === 'approved' ? 'approval.approve' : 'approval.reject', { type: 'approval', id: row.id }, {
      action: row.action, target: `${row.targetType}:${row.targetId}`, requested_by: row.requestedByName, token: row.requestedByTokenId,
      reason: row.reason, approver: actor.name, note: row.decisionNote,
    }, { transaction });
    await this.deps.notifier.publish(
      { kind: 'approval.decided', tenantId: row.tenantId, projectId: row.projectId, approvalId: row.id, ...(row.runId ? { runId: row.runId } : {}) },
      { transaction },
    );
  }
}

/** What applying (or destroying) a planned run asks a person to approve. */
export function runApplyRequest(run: Run, reason: string): RequestedAction {
  return {
    action: run.operation === 'destroy' ? 'run_destroy' : 'run_apply', targetType: 'run', targetId: run.id, projectId: run.projectId, runId: run.id, reason,
    summary: `${run.operation} ${run.repoFullName} ${run.dir} (${run.workspace}): ${run.summary ?? 'planned'}`,
  };
}
