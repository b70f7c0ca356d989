import type { Sequelize } from 'sequelize';
import type { Logger } from '../../logger.js';
import { isHuman, mayApplyWithoutApproval, requirePermission, type Actor, type Permission } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import { inTransaction } from '../db/transaction.js';
import { ConflictError, NotAllowedError, NotFoundError, PreconditionFailedError } from '../errors.js';
import { takenBy } from '../locks/lock-holder.js';
import type { LocksService } from '../locks/locks.service.js';
import { lockKey, type ProjectLock } from '../locks/project-lock.model.js';
import type { ProjectsService } from '../projects/projects.service.js';
import type { Run } from '../runs/run.model.js';
import { canApprove } from '../runs/run-status.js';
import type { RunsService } from '../runs/runs.service.js';
import { runApplyRequest, type ApprovalLedger } from './approval-ledger.js';
import type { ApprovalAction, ApprovalRequest } from './approval.model.js';
import type { ApprovalRepository } from './approval.repository.js';
import type { ListApprovalsQuery } from './approval.schemas.js';

export interface ApprovalsDeps {
  sequelize: Sequelize;
  repo: ApprovalRepository;
  ledger: ApprovalLedger;
  runs: RunsService;
  locks: LocksService;
  projects: ProjectsService;
  audit: AuditLog;
  clock: Clock;
  log: Logger;
}

/**
 * A person at the requester's keyboard who can be asked at once (an MCP session bound to their
 * own identity, whose client supports elicitation). Their answer counts as a decision only
 * because `approver` is that person, checked like any other decider; the agent's token never is.
 */
export interface InlineApprover {
  approver: Actor;
  /** the person's answer, or null when they did not answer (the request stays pending) */
  ask(request: ApprovalRequest): Promise<'approved' | 'rejected' | null>;
}

/** What asking to apply a run led to. */
export type ApplyOutcome =
  | { status: 'confirmed'; run: Run; approvedBy: string }
  | { status: 'pending_approval' | 'rejected'; run: Run; approval: ApprovalRequest; why: string };

export type UnlockOutcome =
  | { status: 'unlocked'; lock: ProjectLock }
  | { status: 'pending_approval'; lock: ProjectLock; approval: ApprovalRequest; why: string };

/** What a decider must be allowed to do for each kind of request. */
const DECIDER_PERMISSION: Record<ApprovalAction, Permission> = {
  run_apply: 'run:approve', run_destroy: 'run:approve', unlock: 'lock:manage', state_delete: 'state:admin',
};

/**
 * The approval gate, for every front end: an automated actor (an AI agent's token) may plan
 * freely, but an apply, a destroy or unlocking someone else's lock becomes a request that a
 * human with the role decides through another channel (REST, Slack, the PR). A token policy may
 * let named projects apply without a human while the plan stays within its limits.
 */
export class ApprovalsService {
  constructor(private readonly deps: ApprovalsDeps) {}

  async list(actor: Actor, q: ListApprovalsQuery): Promise<ApprovalRequest[]> {
    requirePermission(actor, 'run:read');
    return this.deps.repo.list(actor.tenantId, { status: q.status, runId: q.run_id, limit: q.limit }, this.deps.clock.now());
  }

  async get(actor: Actor, id: string): Promise<ApprovalRequest> {
    requirePermission(actor, 'run:read');
    const request = await this.deps.repo.get(actor.tenantId, id, this.deps.clock.now());
    if (!request) throw new NotFoundError(`approval request ${id} not found`, { code: 'not_found' });
    return request;
  }

  /**
   * Apply a planned run. A person's call confirms it at once; an agent's is confirmed only when
   * its token's policy covers the project and the plan's destroys, else it waits for a human.
   */
  async applyRun(actor: Actor, runId: string, reason: string, inline?: InlineApprover): Promise<ApplyOutcome> {
    requirePermission(actor, 'run:apply');
    const run = await this.deps.runs.get(actor, runId);
    if (!canApprove(run.status)) {
      throw new PreconditionFailedError(`run ${runId} is ${run.status}; only a planned run (status planned) can be applied`, { code: 'run.not_approvable' });
    }
    if (mayApplyWithoutApproval(actor)) return { status: 'confirmed', run: await this.deps.runs.apply(actor, runId), approvedBy: actor.name };
    const verdict = await this.deps.ledger.policyVerdict(actor, run);
    if (verdict.allowed) {
      const confirmed = await this.deps.runs.approveUnderPolicy(actor, runId);
      await this.deps.audit.record(actor, 'approval.policy_applied', { type: 'run', id: runId }, { reason, policy: verdict.note, token: actor.tokenId });
      return { status: 'confirmed', run: confirmed, approvedBy: `policy of ${actor.name}` };
    }
    const refusal = verdict.why;
    const approval = await this.deps.ledger.request(actor, runApplyRequest(run, reason));
    const answer = inline ? await inline.ask(approval) : null;
    if (!answer || !inline) return { status: 'pending_approval', run, approval, why: refusal };
    const decided = await this.decide(inline.approver, approval.id, answer, 'answered in the MCP client');
    if (answer === 'rejected') return { status: 'rejected', run: await this.deps.runs.get(actor, runId), approval: decided, why: `${inline.approver.name} rejected it` };
    return { status: 'confirmed', run: await this.deps.runs.get(actor, runId), approvedBy: inline.approver.name };
  }

  /** Unlock a project lock. An agent frees its own lock at once; anyone else's needs a human. */
  async unlock(actor: Actor, idOrKey: string, reason: string): Promise<UnlockOutcome> {
    requirePermission(actor, 'lock:manage');
    const lock = await this.deps.locks.get(actor, idOrKey);
    if (!actor.automation || takenBy(lock, actor)) return { status: 'unlocked', lock: await this.deps.locks.unlock(actor, lock.id) };
    const approval = await this.deps.ledger.request(actor, {
      action: 'unlock', targetType: 'project_lock', targetId: lock.id, projectId: null, runId: lock.runId, reason,
      summary: `unlock ${lockKey(lock)}, held by ${lock.holderName}`,
    });
    return { status: 'pending_approval', lock, approval, why: `the lock is held by ${lock.holderName}, not by ${actor.name}` };
  }

  /**
   * A human decides a request, exactly once, then what was approved is carried out as that
   * human. The requester's own token, and any automated actor, can never decide.
   */
  async decide(actor: Actor, id: string, decision: 'approved' | 'rejected', note?: string): Promise<ApprovalRequest> {
    const request = await this.get(actor, id);
    requirePermission(actor, DECIDER_PERMISSION[request.action]);
    if (!isHuman(actor) || (request.requestedByTokenId && request.requestedByTokenId === actor.tokenId)) {
      throw new NotAllowedError('an approval must come from a person, through a channel other than the requesting token (REST with your own login or token, Slack, the pull request)', { code: 'approval.human_required' });
    }
    if (request.status !== 'pending') throw new ConflictError(`approval request ${id} is already ${request.status}`, { code: 'approval.not_pending' });
    const decided = await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const row = await this.deps.repo.decide(actor.tenantId, id, { status: decision, userId: actor.userId ?? null, name: actor.name, via: actor.via, note: note ?? null, at: this.deps.clock.now() }, transaction);
      if (!row) return null;
      await this.deps.ledger.record(actor, row, transaction);
      return row;
    });
    if (!decided) {
      const now = await this.get(actor, id);
      throw new ConflictError(`approval request ${id} is already ${now.status}`, { code: 'approval.not_pending' });
    }
    return this.carryOut(actor, decided);
  }

  /** Does what was approved, as the approver; a rejected run's plan is discarded so nobody applies it later. */
  private async carryOut(actor: Actor, request: ApprovalRequest): Promise<ApprovalRequest> {
    let outcome: string;
    try {
      outcome = request.status === 'approved' ? await this.perform(actor, request) : await this.reject(actor, request);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await this.deps.repo.setOutcome(request.id, `failed: ${message}`);
      throw err;
    }
    await this.deps.repo.setOutcome(request.id, outcome);
    return { ...request, outcome };
  }

  private async perform(actor: Actor, request: ApprovalRequest): Promise<string> {
    if (request.action === 'unlock') {
      await this.deps.locks.unlock(actor, request.targetId);
      return 'unlocked';
    }
    if (request.action === 'run_apply' || request.action === 'run_destroy') {
      await this.deps.runs.apply(actor, request.targetId);
      return 'applying';
    }
    throw new PreconditionFailedError(`${request.action} requests cannot be carried out by this server yet`, { code: 'approval.unsupported' });
  }

  private async reject(actor: Actor, request: ApprovalRequest): Promise<string> {
    if (request.runId && (request.action === 'run_apply' || request.action === 'run_destroy')) {
      const run = await this.deps.runs.get(actor, request.runId);
      if (canApprove(run.status)) await this.deps.runs.cancel(actor, run.id);
      return 'plan discarded';
    }
    return 'nothing done';
  }
}
