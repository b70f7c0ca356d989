import { QueryTypes, UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize';
import { isUuid } from '../ids.js';
import type { ProjectLock, ProjectLockModel } from './project-lock.model.js';

export type LockKey = Pick<ProjectLock, 'repoFullName' | 'dir' | 'workspace' | 'projectName'>;
export type NewLock = Omit<ProjectLock, 'id' | 'lockedAt'>;

/** Queries on project locks, always within one tenant; plain objects out. */
export class LockRepository {
  constructor(private readonly deps: { sequelize: Sequelize; model: ProjectLockModel }) {}

  /** The lock on one project, locked until the transaction ends. */
  async findByKey(tenantId: string, key: LockKey, transaction: Transaction): Promise<ProjectLock | null> {
    const row = await this.deps.model.findOne({ where: { tenantId, ...key }, transaction, lock: transaction.LOCK.UPDATE });
    return row ? row.get({ plain: true }) : null;
  }

  /**
   * Inserts the lock unless another holder's insert won the race (null then). A savepoint keeps
   * the caller's transaction usable after the conflict.
   */
  async insertIfAbsent(values: NewLock, transaction: Transaction): Promise<ProjectLock | null> {
    try {
      const row = await this.deps.sequelize.transaction({ transaction }, (t) => this.deps.model.create(values, { transaction: t }));
      return row.get({ plain: true });
    } catch (err) {
      if (err instanceof UniqueConstraintError) return null;
      throw err;
    }
  }

  /** Moves a lock to another run or taker of the same holder; returns it as it now is. */
  async retake(id: string, changes: Pick<ProjectLock, 'runId' | 'lockedBy' | 'vcsLogin'>, transaction: Transaction): Promise<ProjectLock> {
    const [, rows] = await this.deps.model.update(changes, { where: { id }, transaction, returning: true });
    return rows[0]!.get({ plain: true });
  }

  /** Oldest first. */
  async list(tenantId: string, filter: { repoFullName?: string } = {}, transaction?: Transaction): Promise<ProjectLock[]> {
    const rows = await this.deps.model.findAll({
      where: { tenantId, ...(filter.repoFullName ? { repoFullName: filter.repoFullName } : {}) },
      order: [['lockedAt', 'ASC']],
      transaction,
    });
    return rows.map((r) => r.get({ plain: true }));
  }

  async findById(tenantId: string, id: string, transaction?: Transaction): Promise<ProjectLock | null> {
    const row = isUuid(id) ? await this.deps.model.findOne({ where: { tenantId, id }, transaction }) : null;
    return row ? row.get({ plain: true }) : null;
  }

  /** Every lock one pull request holds, locked until the transaction ends. */
  async heldByPullRequest(tenantId: string, repoFullName: string, prNumber: number, transaction: Transaction): Promise<ProjectLock[]> {
    const rows = await this.deps.model.findAll({
      where: { tenantId, repoFullName, holderKind: 'pull_request', prNumber },
      transaction, lock: transaction.LOCK.UPDATE,
    });
    return rows.map((r) => r.get({ plain: true }));
  }

  /** Locks of every tenant taken before `cutoff`, oldest first, with the project of the run holding them. */
  async heldSince(cutoff: Date, limit = 1000): Promise<Array<{ id: string; tenantId: string; projectId: string | null }>> {
    const rows = await this.deps.sequelize.query<{ id: string; tenant_id: string; project_id: string | null }>(
      `SELECT l.id, l.tenant_id, r.project_id FROM project_locks l LEFT JOIN runs r ON r.id = l.run_id
       WHERE l.locked_at < :cutoff ORDER BY l.locked_at LIMIT :limit`,
      { replacements: { cutoff, limit }, type: QueryTypes.SELECT },
    );
    return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, projectId: r.project_id }));
  }

  /** Frees the locks an actor (not a pull request) took for this run. */
  async deleteActorLocksOfRun(runId: string, transaction?: Transaction): Promise<void> {
    await this.deps.model.destroy({ where: { runId, holderKind: 'actor' }, transaction });
  }

  async deleteByIds(ids: string[], transaction: Transaction): Promise<void> {
    if (!ids.length) return;
    await this.deps.model.destroy({ where: { id: ids }, transaction });
  }
}
