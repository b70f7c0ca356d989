import { QueryTypes, type Sequelize } from 'sequelize';
import type { Remediation } from './drift-remediation.js';

const COLUMNS = `id, tenant_id AS "tenantId", repo_full_name AS "repoFullName", ref, action, drift_only AS "driftOnly",
  actor_name AS "actorName", projects, started_at AS "startedAt"`;

/** Remediations, always within one tenant. They hold names, run ids and counts: nothing terraform printed. */
export class RemediationRepository {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  async insert(r: Remediation): Promise<void> {
    await this.deps.sequelize.query(
      `INSERT INTO drift_remediations (id, tenant_id, repo_full_name, ref, action, drift_only, actor_name, projects, started_at)
       VALUES (:id, :tenantId, :repoFullName, :ref, :action, :driftOnly, :actorName, CAST(:projects AS jsonb), :startedAt)`,
      { replacements: { ...r, projects: JSON.stringify(r.projects) } },
    );
  }

  async get(tenantId: string, id: string): Promise<Remediation | null> {
    const [row] = await this.deps.sequelize.query<Remediation>(`SELECT ${COLUMNS} FROM drift_remediations WHERE tenant_id = :tenantId AND id = :id`, {
      replacements: { tenantId, id }, type: QueryTypes.SELECT,
    });
    return row ?? null;
  }

  list(tenantId: string, repoFullName: string, limit: number): Promise<Remediation[]> {
    return this.deps.sequelize.query<Remediation>(
      `SELECT ${COLUMNS} FROM drift_remediations WHERE tenant_id = :tenantId AND lower(repo_full_name) = lower(:repoFullName)
       ORDER BY started_at DESC, id LIMIT :limit`,
      { replacements: { tenantId, repoFullName, limit }, type: QueryTypes.SELECT },
    );
  }
}
