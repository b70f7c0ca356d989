import { Op, UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize';
import { requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import { inTransaction } from '../db/transaction.js';
import { LockedError, NotFoundError } from '../errors.js';
import { isUuid } from '../ids.js';
import type { RunModel } from '../runs/run.model.js';
import { holderName, lockedMessage, sameHolder, type LockHolder, type LockTarget } from './lock-holder.js';
import { lockKey, type ProjectLock, type ProjectLockModel } from './project-lock.model.js';

/**
 * Project locks with Atlantis semantics: a plan takes the lock for repo+dir+workspace+project;
 * another holder is refused until the lock is released (PR merged/closed, unlock, or — for
 * actor-held locks outside PRs — the holding run ends). Releasing a lock discards its plans.
 */
export class LocksService {
  constructor(private readonly deps: { sequelize: Sequelize; locks: ProjectLockModel; runs: RunModel; audit: AuditLog }) {}

  /** Takes or re-takes the lock inside the caller's transaction; LockedError when someone else holds it. */
  async acquire(tenantId: string, target: LockTarget, holder: LockHolder, runId: string | null, transaction: Transaction): Promise<ProjectLock> {
    const key = { repoFullName: target.repoFullName, dir: target.dir, workspace: target.workspace, projectName: target.projectName };
    for (let attempt = 0; attempt < 3; attempt++) {
      const where = { tenantId, ...key };
      const existing = await this.deps.locks.findOne({ where, transaction, lock: transaction.LOCK.UPDATE });
      if (existing) {
        const lock = existing.get({ plain: true });
        if (!sameHolder(lock, holder)) throw new LockedError(lockedMessage(lock), lockJson(lock), { code: 'run.lock_held' });
        await existing.update({ runId: runId ?? lock.runId, lockedBy: holder.lockedBy, vcsLogin: holder.vcsLogin ?? null }, { transaction });
        return existing.get({ plain: true });
      }
      try {
        // A savepoint keeps the outer transaction usable if a concurrent insert wins the race.
        const row = await this.deps.sequelize.transaction({ transaction }, (t) =>
          this.deps.locks.create(
            {
              tenantId, ...key, holderKind: holder.kind, holderName: holderName(holder), lockedBy: holder.lockedBy, vcsLogin: holder.vcsLogin ?? null, runId,
              prNumber: holder.kind === 'pull_request' ? holder.prNumber : null, prUrl: holder.kind === 'pull_request' ? holder.prUrl : null,
            },
            { transaction: t },
          ),
        );
        return row.get({ plain: true });
      } catch (err) {
        if (!(err instanceof UniqueConstraintError)) throw err;
      }
    }
    throw new LockedError('the project lock is contended; try again', null, { code: 'run.lock_held' });
  }

  async list(actor: Actor, filter: { repoFullName?: string } = {}): Promise<ProjectLock[]> {
    requirePermission(actor, 'lock:read');
    const rows = await this.deps.locks.findAll({
      where: { tenantId: actor.tenantId, ...(filter.repoFullName ? { repoFullName: filter.repoFullName } : {}) },
      order: [['lockedAt', 'ASC']],
    });
    return rows.map((r) => r.get({ plain: true }));
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
      const rows = await this.deps.locks.findAll({
        where: { tenantId: actor.tenantId, repoFullName, holderKind: 'pull_request', prNumber },
        transaction, lock: transaction.LOCK.UPDATE,
      });
      const locks = rows.map((r) => r.get({ plain: true }));
      await this.discardPullRequestPlans(actor.tenantId, repoFullName, prNumber, reason, transaction);
      await this.releaseLocks(actor, locks, reason, transaction);
      return locks;
    });
  }

  /** An actor-held lock ends with its run (applied, no changes, errored, canceled, discarded). */
  async releaseForRun(runId: string, transaction?: Transaction): Promise<void> {
    await this.deps.locks.destroy({ where: { runId, holderKind: 'actor' }, transaction });
  }

  private async releaseLocks(actor: Actor, locks: ProjectLock[], reason: string, transaction: Transaction): Promise<void> {
    if (!locks.length) return;
    await this.deps.locks.destroy({ where: { id: locks.map((l) => l.id) }, transaction });
    for (const lock of locks) {
      await this.deps.runs.update(
        { status: 'discarded', statusReason: `plan discarded: lock ${reason} by ${actor.name}`, finishedAt: new Date() },
        { where: { tenantId: lock.tenantId, repoFullName: lock.repoFullName, dir: lock.dir, workspace: lock.workspace, projectName: lock.projectName, status: 'planned' }, transaction },
      );
      await this.deps.audit.record(actor, 'lock.delete', { type: 'project_lock', id: lock.id }, { key: lockKey(lock), holder: lock.holderName, reason }, { transaction });
    }
  }

  private async discardPullRequestPlans(tenantId: string, repoFullName: string, prNumber: number, reason: string, transaction: Transaction): Promise<void> {
    await this.deps.runs.update(
      { status: 'discarded', statusReason: `plan discarded: pull request ${reason}`, finishedAt: new Date() },
      { where: { tenantId, repoFullName, prNumber, status: { [Op.in]: ['planned', 'pending'] } }, transaction },
    );
  }

  private async find(actor: Actor, idOrKey: string, transaction: Transaction): Promise<ProjectLock> {
    const rows = isUuid(idOrKey)
      ? await this.deps.locks.findAll({ where: { tenantId: actor.tenantId, id: idOrKey }, transaction })
      : await this.deps.locks.findAll({ where: { tenantId: actor.tenantId }, transaction });
    const lock = rows.map((r) => r.get({ plain: true })).find((l) => l.id === idOrKey || lockKey(l) === idOrKey || lockKey(l).replace(/\/$/, '') === idOrKey);
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
