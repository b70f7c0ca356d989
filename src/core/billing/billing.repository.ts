import { QueryTypes, type Sequelize } from 'sequelize';
import type { Sealed } from '../secrets/encryption.js';

export interface VersionRef {
  id: string;
  stateId: string;
  version: number;
}

/** The recorded facts a bill is computed from: state versions and applied runs. */
export class BillingRepository {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  /** The version each of the tenant's states points at now. */
  currentVersions(tenantId: string): Promise<VersionRef[]> {
    return this.deps.sequelize.query<VersionRef>(
      `SELECT v.id, v.state_id AS "stateId", v.version FROM states s JOIN state_versions v ON v.id = s.current_version_id WHERE s.tenant_id = :tenantId`,
      { replacements: { tenantId }, type: QueryTypes.SELECT },
    );
  }

  /** For each of the tenant's states, the last version written before `until`. */
  versionsBefore(tenantId: string, until: Date): Promise<VersionRef[]> {
    return this.deps.sequelize.query<VersionRef>(
      `SELECT DISTINCT ON (v.state_id) v.id, v.state_id AS "stateId", v.version FROM state_versions v
       WHERE v.tenant_id = :tenantId AND v.created_at < :until ORDER BY v.state_id, v.version DESC`,
      { replacements: { tenantId, until }, type: QueryTypes.SELECT },
    );
  }

  async sealedVersion(id: string): Promise<Sealed | null> {
    const [row] = await this.deps.sequelize.query<Sealed>(`SELECT key_id AS "keyId", data FROM state_versions WHERE id = :id`, { replacements: { id }, type: QueryTypes.SELECT });
    return row ?? null;
  }

  /** Resources added, changed or destroyed by the tenant's runs applied in [from, until), and how many runs. */
  async appliedChanges(tenantId: string, from: Date, until: Date): Promise<{ changes: number; applies: number }> {
    const [row] = await this.deps.sequelize.query<{ changes: string | null; applies: string }>(
      `SELECT SUM(COALESCE(resources_added, 0) + COALESCE(resources_changed, 0) + COALESCE(resources_destroyed, 0)) AS changes, COUNT(*) AS applies
       FROM runs WHERE tenant_id = :tenantId AND status = 'applied' AND finished_at >= :from AND finished_at < :until`,
      { replacements: { tenantId, from, until }, type: QueryTypes.SELECT },
    );
    return { changes: Number(row?.changes ?? 0), applies: Number(row?.applies ?? 0) };
  }
}
