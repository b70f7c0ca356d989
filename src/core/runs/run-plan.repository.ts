import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Sealed } from '../secrets/encryption.js';

export interface StoredPlan extends Sealed {
  runId: string;
  /** hex SHA-256 of the plaintext plan */
  sha256: string;
}

/** Queries on `run_plans`: one sealed plan file per run. */
export class RunPlanRepository {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  /** Stores the run's plan, replacing one saved before. */
  async save(tenantId: string, plan: StoredPlan & { size: number }, transaction?: Transaction): Promise<void> {
    await this.deps.sequelize.query(
      `INSERT INTO run_plans (run_id, tenant_id, key_id, data, sha256, size) VALUES (:runId, :tenantId, :keyId, :data, :sha256, :size)
       ON CONFLICT (run_id) DO UPDATE SET key_id = EXCLUDED.key_id, data = EXCLUDED.data, sha256 = EXCLUDED.sha256, size = EXCLUDED.size, created_at = now()`,
      { replacements: { runId: plan.runId, tenantId, keyId: plan.keyId, data: plan.data, sha256: plan.sha256, size: plan.size }, transaction },
    );
  }

  async find(runId: string): Promise<StoredPlan | null> {
    const [row] = await this.deps.sequelize.query<{ key_id: string; data: Buffer; sha256: string }>(
      'SELECT key_id, data, sha256 FROM run_plans WHERE run_id = :runId',
      { replacements: { runId }, type: QueryTypes.SELECT },
    );
    return row ? { runId, keyId: row.key_id, data: row.data, sha256: row.sha256 } : null;
  }

  /** Plans sealed under another key than `keyId`. */
  async notUnderKey(keyId: string): Promise<Array<Sealed & { runId: string }>> {
    const rows = await this.deps.sequelize.query<{ run_id: string; key_id: string; data: Buffer }>(
      'SELECT run_id, key_id, data FROM run_plans WHERE key_id <> :keyId',
      { replacements: { keyId }, type: QueryTypes.SELECT },
    );
    return rows.map((r) => ({ runId: r.run_id, keyId: r.key_id, data: r.data }));
  }

  /** Replaces a plan's ciphertext, unless it is no longer the one sealed under `oldKeyId`. */
  async reseal(runId: string, oldKeyId: string, sealed: Sealed): Promise<void> {
    await this.deps.sequelize.query('UPDATE run_plans SET key_id = :keyId, data = :data WHERE run_id = :runId AND key_id = :old', {
      replacements: { keyId: sealed.keyId, data: sealed.data, runId, old: oldKeyId },
    });
  }
}
