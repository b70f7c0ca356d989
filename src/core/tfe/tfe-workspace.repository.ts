import { QueryTypes, UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize';
import type { LockInfo } from '../state/lock-info.js';

export type ExecutionMode = 'local' | 'remote' | 'agent';

/** A TFE workspace: the settings the terraform CLI reads, and the Atlantas state it names. */
export interface TfeWorkspace {
  id: string;
  tenantId: string;
  name: string;
  projectId: string | null;
  stateName: string;
  stateWorkspace: string;
  description: string;
  executionMode: ExecutionMode;
  autoApply: boolean;
  terraformVersion: string;
  workingDirectory: string;
  tags: string[];
  labels: Record<string, string>;
  vcsRepo: Record<string, unknown> | null;
  agentPoolId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A workspace as read: with its state's lock and current version (null before the first write). */
export interface TfeWorkspaceRow extends TfeWorkspace {
  lockId: string | null;
  lockInfo: LockInfo | null;
  currentVersionId: string | null;
}

export type NewTfeWorkspace = Omit<TfeWorkspace, 'createdAt' | 'updatedAt'>;
export type TfeWorkspaceChanges = Partial<Omit<TfeWorkspace, 'id' | 'tenantId' | 'createdAt' | 'updatedAt'>>;

export interface WorkspaceQuery {
  /** case-insensitive substring of the name (search[name]) */
  name?: string;
  /** every one of these tags (search[tags]) */
  tags?: string[];
  projectId?: string;
  /** a tag `key` or `key:<any value>` for each of these keys (filter[tagged][i][key] without a value) */
  tagKeys?: string[];
  limit: number;
  offset: number;
}

const FIELDS: [string, string][] = [
  ['id', 'id'], ['tenant_id', 'tenantId'], ['name', 'name'], ['project_id', 'projectId'], ['state_name', 'stateName'],
  ['state_workspace', 'stateWorkspace'], ['description', 'description'], ['execution_mode', 'executionMode'], ['auto_apply', 'autoApply'],
  ['terraform_version', 'terraformVersion'], ['working_directory', 'workingDirectory'], ['tags', 'tags'], ['labels', 'labels'],
  ['vcs_repo', 'vcsRepo'], ['agent_pool_id', 'agentPoolId'], ['created_at', 'createdAt'], ['updated_at', 'updatedAt'],
];
const COLUMNS = FIELDS.map(([c, f]) => `${c} AS "${f}"`).join(', ');
/** Reads join the state the workspace names, for its lock and current version. */
const READ = `SELECT ${FIELDS.map(([c, f]) => `w.${c} AS "${f}"`).join(', ')},
  s.lock_id AS "lockId", s.lock_info AS "lockInfo", s.current_version_id AS "currentVersionId"
  FROM tfe_workspaces w LEFT JOIN states s ON s.tenant_id = w.tenant_id AND s.name = w.state_name AND s.workspace = w.state_workspace`;

const COLUMN_OF: Record<keyof TfeWorkspaceChanges, string> = {
  name: 'name', projectId: 'project_id', stateName: 'state_name', stateWorkspace: 'state_workspace', description: 'description',
  executionMode: 'execution_mode', autoApply: 'auto_apply', terraformVersion: 'terraform_version', workingDirectory: 'working_directory',
  tags: 'tags', labels: 'labels', vcsRepo: 'vcs_repo', agentPoolId: 'agent_pool_id',
};
const JSON_COLUMNS = new Set(['labels', 'vcs_repo']);

/** Queries on `tfe_workspaces`; plain objects out, always within one tenant. */
export class TfeWorkspaceRepository {
  constructor(private readonly sequelize: Sequelize) {}

  /** With a transaction the workspace row stays locked until it ends. */
  async findById(tenantId: string, id: string, t?: Transaction): Promise<TfeWorkspaceRow | null> {
    return this.read('w.tenant_id = :tenantId AND w.id = :id', { tenantId, id }, t);
  }

  async findByName(tenantId: string, name: string, t?: Transaction): Promise<TfeWorkspaceRow | null> {
    return this.read('w.tenant_id = :tenantId AND w.name = :name', { tenantId, name }, t);
  }

  /**
   * The workspace whose variables a run gets: the one that names the run's state (name and
   * workspace), else the one mapped to the run's registered project and workspace.
   */
  async forRun(tenantId: string, run: { stateName: string | null; workspace: string; projectId: string | null }): Promise<TfeWorkspaceRow | null> {
    if (run.stateName) {
      const byState = await this.findByState(tenantId, run.stateName, run.workspace);
      if (byState) return byState;
    }
    if (!run.projectId) return null;
    return this.read('w.tenant_id = :tenantId AND w.project_id = :projectId AND w.state_workspace = :workspace', { tenantId, projectId: run.projectId, workspace: run.workspace });
  }

  async findByState(tenantId: string, stateName: string, stateWorkspace: string, t?: Transaction): Promise<TfeWorkspaceRow | null> {
    return this.read('w.tenant_id = :tenantId AND w.state_name = :stateName AND w.state_workspace = :stateWorkspace', { tenantId, stateName, stateWorkspace }, t);
  }

  /** One page of the tenant's workspaces by name, and how many match in all. */
  async list(tenantId: string, q: WorkspaceQuery): Promise<{ items: TfeWorkspaceRow[]; total: number }> {
    const where = ['w.tenant_id = :tenantId'];
    const replacements: Record<string, unknown> = { tenantId, limit: q.limit, offset: q.offset };
    if (q.name) {
      where.push("w.name ILIKE :name ESCAPE '\\'");
      replacements.name = `%${q.name.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    }
    if (q.tags?.length) {
      where.push('w.tags @> ARRAY[:tags]::text[]');
      replacements.tags = q.tags;
    }
    for (const [i, key] of (q.tagKeys ?? []).entries()) {
      where.push(`EXISTS (SELECT 1 FROM unnest(w.tags) t WHERE t = :tagKey${i} OR t LIKE :tagKeyLike${i} ESCAPE '\\')`);
      replacements[`tagKey${i}`] = key;
      replacements[`tagKeyLike${i}`] = `${key.replace(/[\\%_]/g, (c) => `\\${c}`)}:%`;
    }
    if (q.projectId) {
      where.push('w.project_id = :projectId');
      replacements.projectId = q.projectId;
    }
    const filter = where.join(' AND ');
    const items = await this.sequelize.query<TfeWorkspaceRow>(`${READ} WHERE ${filter} ORDER BY w.name LIMIT :limit OFFSET :offset`, { replacements, type: QueryTypes.SELECT });
    const [count] = await this.sequelize.query<{ n: string }>(`SELECT count(*) AS n FROM tfe_workspaces w WHERE ${filter}`, { replacements, type: QueryTypes.SELECT });
    return { items, total: Number(count.n) };
  }

  /** null when the name or the state is taken in the tenant. */
  async insert(w: NewTfeWorkspace, t: Transaction): Promise<TfeWorkspace | null> {
    try {
      return await this.one(
        `INSERT INTO tfe_workspaces (id, tenant_id, name, project_id, state_name, state_workspace, description, execution_mode, auto_apply,
           terraform_version, working_directory, tags, labels, vcs_repo, agent_pool_id)
         VALUES (:id, :tenantId, :name, :projectId, :stateName, :stateWorkspace, :description, :executionMode, :autoApply,
           :terraformVersion, :workingDirectory, ${tagsSql(w.tags)}, :labels, :vcsRepo, :agentPoolId)
         RETURNING ${COLUMNS}`,
        { ...w, labels: JSON.stringify(w.labels), vcsRepo: w.vcsRepo ? JSON.stringify(w.vcsRepo) : null },
        t,
      );
    } catch (err) {
      if (err instanceof UniqueConstraintError) return null;
      throw err;
    }
  }

  /** Applies `changes`; null when the workspace is not there. Throws UniqueConstraintError on a taken name. */
  async update(tenantId: string, id: string, changes: TfeWorkspaceChanges, t: Transaction): Promise<TfeWorkspace | null> {
    const sets: string[] = [];
    const replacements: Record<string, unknown> = { tenantId, id };
    for (const [key, value] of Object.entries(changes) as [keyof TfeWorkspaceChanges, unknown][]) {
      if (value === undefined) continue;
      const column = COLUMN_OF[key];
      if (column === 'tags') {
        sets.push(`tags = ${tagsSql(value as string[])}`);
        replacements.tags = value;
      } else {
        sets.push(`${column} = :${key}`);
        replacements[key] = JSON_COLUMNS.has(column) && value !== null ? JSON.stringify(value) : value;
      }
    }
    sets.push('updated_at = now()');
    const row = await this.one(
      `UPDATE tfe_workspaces SET ${sets.join(', ')} WHERE tenant_id = :tenantId AND id = :id RETURNING ${COLUMNS}`, replacements, t,
    );
    return row;
  }

  async delete(tenantId: string, id: string, t: Transaction): Promise<void> {
    await this.sequelize.query('DELETE FROM tfe_workspaces WHERE tenant_id = :tenantId AND id = :id', { replacements: { tenantId, id }, transaction: t });
  }

  private async read(where: string, replacements: Record<string, unknown>, t?: Transaction): Promise<TfeWorkspaceRow | null> {
    const [row] = await this.sequelize.query<TfeWorkspaceRow>(`${READ} WHERE ${where}${t ? ' FOR UPDATE OF w' : ''}`, { replacements, type: QueryTypes.SELECT, transaction: t });
    return row ?? null;
  }

  private async one(sql: string, replacements: Record<string, unknown>, t?: Transaction): Promise<TfeWorkspace | null> {
    const [row] = await this.sequelize.query<TfeWorkspace>(sql, { replacements, type: QueryTypes.SELECT, transaction: t });
    return row ?? null;
  }
}

/** `ARRAY[:tags]` of a non-empty list (Sequelize expands it); an empty one is the empty array literal. */
function tagsSql(tags: readonly string[]): string {
  return tags.length ? 'ARRAY[:tags]::text[]' : "'{}'::text[]";
}
