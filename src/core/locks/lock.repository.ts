import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { isUuid } from '../ids.js';
import type { ProjectLock, ProjectLockModel } from './project-lock.model.js';

export type NewLock = Omit<ProjectLock, 'id' | 'lockedAt' | 'holderKey' | 'lockedByKey'> & Partial<Pick<ProjectLock, 'holderKey' | 'lockedByKey'>>;

const LOCK_COLUMNS = `id, tenant_id AS "tenantId", repo_full_name AS "repoFullName", dir, workspace, project_name AS "projectName",
  holder_kind AS "holderKind", pr_number AS "prNumber", pr_url AS "prUrl", holder_name AS "holderName", holder_key AS "holderKey", locked_by AS "lockedBy", locked_by_key AS "lockedByKey",
  vcs_login AS "vcsLogin", run_id AS "runId", locked_at AS "lockedAt"`;

/** Queries on project locks, always within one tenant; plain objects out. */
export class LockRepository {
  constructor(private readonly deps: { sequelize: Sequelize; model: ProjectLockModel }) {}

  /**
   * Takes the lock on a free project, or locks and returns the lock already there (until the
   * transaction ends), in one statement: a conflicting insert becomes a no-op update, which locks
   * the row the caller then judges (same holder: retake; else refused).
   */
  async insertOrLockExisting(values: NewLock, transaction: Transaction): Promise<{ lock: ProjectLock; inserted: boolean }> {
    const v = values;
    const [row] = await this.deps.sequelize.query<ProjectLock & { inserted: boolean }>(
      `INSERT INTO project_locks (tenant_id, repo_full_name, dir, workspace, project_name, holder_kind, pr_number, pr_url, holder_name, locked_by, vcs_login, run_id, holder_key, locked_by_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (tenant_id, repo_full_name, dir, workspace, project_name) DO UPDATE SET locked_at = project_locks.locked_at
       RETURNING ${LOCK_COLUMNS}, (xmax = 0) AS inserted`,
      {
        bind: [v.tenantId, v.repoFullName, v.dir, v.workspace, v.projectName ?? '', v.holderKind, v.prNumber ?? null, v.prUrl ?? null, v.holderName, v.lockedBy, v.vcsLogin ?? null, v.runId ?? null, v.holderKey ?? null, v.lockedByKey ?? null],
        type: QueryTypes.SELECT, transaction,
      },
    );
    if (!row) throw new Error('project lock upsert returned nothing');
    const { inserted, ...lock } = row;
    return { lock, inserted };
  }

  /** Moves a lock to another run or taker of the same holder; returns it as it now is. */
  async retake(id: string, changes: Pick<ProjectLock, 'runId' | 'lockedBy' | 'vcsLogin' | 'lockedByKey'>, transaction: Transaction): Promise<ProjectLock> {
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
  async deleteByIds(ids: string[], transaction: Transaction): Promise<void> {
    if (!ids.length) return;
    await this.deps.model.destroy({ where: { id: ids }, transaction });
  }
}
