import type { Sequelize, Transaction } from 'sequelize';
import { requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import { inTransaction } from '../db/transaction.js';
import { LockedError, NotFoundError } from '../errors.js';
import { isUuid } from '../ids.js';
import type { RunRepository } from '../runs/run.repository.js';
import { holderName, lockedMessage, sameHolder, type LockHolder, type LockTarget } from './lock-holder.js';
import type { LockRepository } from './lock.repository.js';
import { lockKey, type ProjectLock } from './project-lock.model.js';

/**
 * Project locks with Atlantis semantics: a plan takes the lock for repo+dir+workspace+project;
 * another holder is refused until the lock is released (PR merged/closed, unlock, or — for
 * actor-held locks outside PRs — the holding run ends). Releasing a lock discards its plans.
 */
export class LocksService {
  constructor(private readonly deps: { sequelize: Sequelize; repo: LockRepository; runs: RunRepository; audit: AuditLog }) {}

  /** Takes or re-takes the lock inside the caller's transaction; LockedError when someone else holds it. */
  async acquire(tenantId: string, target: LockTarget, holder: LockHolder, runId: string | null, transaction: Transaction): Promise<ProjectLock> {
    const key = { repoFullName: target.repoFullName, dir: target.dir, workspace: target.workspace, projectName: target.projectName };
    // One statement takes a free lock, or locks the one there for the judgement below.
    const { lock: existing, inserted } = await this.deps.repo.insertOrLockExisting(
      {
        tenantId, ...key, holderKind: holder.kind, holderName: holderName(holder), lockedBy: holder.lockedBy, vcsLogin: holder.vcsLogin ?? null, runId,
        holderKey: holder.kind === 'actor' ? holder.key ?? null : null, lockedByKey: holder.lockedByKey ?? null,
        prNumber: holder.kind === 'pull_request' ? holder.prNumber : null, prUrl: holder.kind === 'pull_request' ? holder.prUrl : null,
      },
      transaction,
    );
    if (inserted) return existing;
    if (!sameHolder(existing, holder)) throw new LockedError(lockedMessage(existing), lockJson(existing), { code: 'run.lock_held' });
    return this.deps.repo.retake(existing.id, { runId: runId ?? existing.runId, lockedBy: holder.lockedBy, lockedByKey: holder.lockedByKey ?? null, vcsLogin: holder.vcsLogin ?? null }, transaction);
  }

  async list(actor: Actor, filter: { repoFullName?: string } = {}): Promise<ProjectLock[]> {
    requirePermission(actor, 'lock:read');
    return this.deps.repo.list(actor.tenantId, filter);
  }

  /** One lock of the caller's tenant, by id or Atlantis key. */
  async get(actor: Actor, idOrKey: string): Promise<ProjectLock> {
    requirePermission(actor, 'lock:read');
    return inTransaction(this.deps.sequelize, undefined, (transaction) => this.find(actor, idOrKey, transaction));
  }

  /** Deletes one lock (by id or Atlantis key) and discards the plans waiting under it. */
  async unlock(actor: Actor, idOrKey: string): Promise<ProjectLock> {
    requirePermission(actor, 'lock:manage');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const lock = await this.find(actor, idOrKey, transaction);
      await this.releaseLocks(actor, [lock], 'unlocked', transaction);
      return lock;
    });
  }

  /** `atlantis unlock` and PR close: every lock the pull request holds, and its plans. */
  async unlockPullRequest(actor: Actor, repoFullName: string, prNumber: number, reason = 'unlocked'): Promise<ProjectLock[]> {
    requirePermission(actor, 'lock:manage');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const locks = await this.deps.repo.heldByPullRequest(actor.tenantId, repoFullName, prNumber, transaction);
      await this.deps.runs.discardUnappliedOfPullRequest(actor.tenantId, repoFullName, prNumber, `plan discarded: pull request ${reason}`, transaction);
      await this.releaseLocks(actor, locks, reason, transaction);
      return locks;
    });
  }

  private async releaseLocks(actor: Actor, locks: ProjectLock[], reason: string, transaction: Transaction): Promise<void> {
    if (!locks.length) return;
    await this.deps.repo.deleteByIds(locks.map((l) => l.id), transaction);
    for (const lock of locks) {
      await this.deps.runs.discardPlannedOf(lock.tenantId, lock, `plan discarded: lock ${reason} by ${actor.name}`, transaction);
      await this.deps.audit.record(actor, 'lock.delete', { type: 'project_lock', id: lock.id }, { key: lockKey(lock), holder: lock.holderName, reason }, { transaction });
    }
  }

  private async find(actor: Actor, idOrKey: string, transaction: Transaction): Promise<ProjectLock> {
    const candidates = isUuid(idOrKey)
      ? [await this.deps.repo.findById(actor.tenantId, idOrKey, transaction)].filter((l): l is ProjectLock => l !== null)
      : await this.deps.repo.list(actor.tenantId, {}, transaction);
    const lock = candidates.find((l) => l.id === idOrKey || lockKey(l) === idOrKey || lockKey(l).replace(/\/$/, '') === idOrKey);
    if (!lock) throw new NotFoundError(`lock ${idOrKey} not found`);
    return lock;
  }
}

/** A lock as every surface shows it: in lock lists and as the holder of a lock-held refusal. */
export function lockJson(l: ProjectLock) {
  return {
    id: l.id, key: lockKey(l), repository: l.repoFullName, path: l.dir, workspace: l.workspace, project_name: l.projectName,
    holder: l.holderName, holder_kind: l.holderKind, pull_request_id: l.prNumber, pull_request_url: l.prUrl, locked_by: l.lockedBy,
    run_id: l.runId, locked_at: new Date(l.lockedAt).toISOString(),
  };
}
