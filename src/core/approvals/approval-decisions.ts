import type { Transaction } from 'sequelize';
import type { Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import type { Notifier } from '../notifications/notification.js';
import type { RunApprovalHook } from '../runs/runs.service.js';
import type { ApprovalRequest } from './approval.model.js';
import type { ApprovalRepository } from './approval.repository.js';

/**
 * Records a decision on an approval request (audit: who asked, why, who decided; and the
 * `approval.decided` event). It is also the runs' hook: a human approving a run directly (a PR's
 * `atlantis apply`) decides what an agent asked for that run, inside the run's transaction.
 */
export class ApprovalDecisions implements RunApprovalHook {
  constructor(private readonly deps: { repo: ApprovalRepository; audit: AuditLog; notifier: Notifier; clock: Clock }) {}

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
