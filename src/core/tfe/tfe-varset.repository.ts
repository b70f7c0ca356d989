import { QueryTypes, UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize';

/** A variable set of one tenant: global (every workspace) or attached to workspaces; `priority` overrides workspace variables. */
export interface TfeVarset {
  id: string;
  tenantId: string;
  name: string;
  description: string;
  global: boolean;
  priority: boolean;
  /** the workspaces it is attached to (a global set may have none) */
  workspaceIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

export type NewTfeVarset = Omit<TfeVarset, 'workspaceIds' | 'createdAt' | 'updatedAt'>;
export type TfeVarsetChanges = Partial<Pick<TfeVarset, 'name' | 'description' | 'global' | 'priority'>>;

const READ = `SELECT v.id, v.tenant_id AS "tenantId", v.name, v.description, v.global, v.priority, v.created_at AS "createdAt", v.updated_at AS "updatedAt",
  COALESCE((SELECT array_agg(a.workspace_id ORDER BY a.workspace_id) FROM tfe_varset_workspaces a WHERE a.varset_id = v.id), '{}') AS "workspaceIds"
  FROM tfe_varsets v`;

/** Queries on `tfe_varsets` and `tfe_varset_workspaces`; always within one tenant. */
export class TfeVarsetRepository {
  constructor(private readonly sequelize: Sequelize) {}

  list(tenantId: string): Promise<TfeVarset[]> {
    return this.q<TfeVarset>(`${READ} WHERE v.tenant_id = :tenantId ORDER BY v.name`, { tenantId });
  }

  async find(tenantId: string, id: string, t?: Transaction): Promise<TfeVarset | null> {
    if (t) await this.q(`SELECT id FROM tfe_varsets WHERE tenant_id = :tenantId AND id = :id FOR UPDATE`, { tenantId, id }, t);
    const [row] = await this.q<TfeVarset>(`${READ} WHERE v.tenant_id = :tenantId AND v.id = :id`, { tenantId, id }, t);
    return row ?? null;
  }

  /** The sets that apply to one workspace: the global ones and those attached to it. */
  forWorkspace(tenantId: string, workspaceId: string): Promise<TfeVarset[]> {
    return this.q<TfeVarset>(
      `${READ} WHERE v.tenant_id = :tenantId AND (v.global OR EXISTS (SELECT 1 FROM tfe_varset_workspaces a WHERE a.varset_id = v.id AND a.workspace_id = :workspaceId)) ORDER BY v.name`,
      { tenantId, workspaceId },
    );
  }

  /** null when the tenant has a set of that name already. */
  async insert(v: NewTfeVarset, t: Transaction): Promise<boolean> {
    try {
      await this.sequelize.query(
        'INSERT INTO tfe_varsets (id, tenant_id, name, description, global, priority) VALUES (:id, :tenantId, :name, :description, :global, :priority)',
        { replacements: { ...v }, transaction: t },
      );
      return true;
    } catch (err) {
      if (err instanceof UniqueConstraintError) return false;
      throw err;
    }
  }

  /** false on a taken name. */
  async update(tenantId: string, id: string, c: TfeVarsetChanges, t: Transaction): Promise<boolean> {
    const sets = (['name', 'description', 'global', 'priority'] as const).filter((k) => c[k] !== undefined).map((k) => `${k} = :${k}`);
    try {
      await this.sequelize.query(`UPDATE tfe_varsets SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE tenant_id = :tenantId AND id = :id`, {
        replacements: { ...c, tenantId, id }, transaction: t,
      });
      return true;
    } catch (err) {
      if (err instanceof UniqueConstraintError) return false;
      throw err;
    }
  }

  async delete(tenantId: string, id: string, t: Transaction): Promise<void> {
    await this.sequelize.query('DELETE FROM tfe_varsets WHERE tenant_id = :tenantId AND id = :id', { replacements: { tenantId, id }, transaction: t });
  }

  /** Attaches workspaces (already checked to be the tenant's); attaching twice is a no-op. */
  async attach(tenantId: string, id: string, workspaceIds: string[], t: Transaction): Promise<void> {
    for (const workspaceId of workspaceIds) {
      await this.sequelize.query(
        'INSERT INTO tfe_varset_workspaces (varset_id, workspace_id, tenant_id) VALUES (:id, :workspaceId, :tenantId) ON CONFLICT DO NOTHING',
        { replacements: { tenantId, id, workspaceId }, transaction: t },
      );
    }
  }

  async detach(tenantId: string, id: string, workspaceIds: string[], t: Transaction): Promise<void> {
    if (!workspaceIds.length) return;
    await this.sequelize.query('DELETE FROM tfe_varset_workspaces WHERE tenant_id = :tenantId AND varset_id = :id AND workspace_id IN (:workspaceIds)', {
      replacements: { tenantId, id, workspaceIds }, transaction: t,
    });
  }

  private q<T extends object>(sql: string, replacements: Record<string, unknown>, t?: Transaction): Promise<T[]> {
    return this.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction: t });
  }
}
