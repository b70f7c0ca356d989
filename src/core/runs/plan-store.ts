import { createHash } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Encryptor } from '../secrets/encryption.js';

/**
 * Saved plan files, encrypted (AES-256-GCM, bound to their run id) so that apply can run on any
 * replica and always applies exactly what was planned. Deleted once the run ends.
 */
export class PlanStore {
  constructor(private readonly deps: { sequelize: Sequelize; encryptor: Encryptor }) {}

  async save(tenantId: string, runId: string, plan: Buffer, transaction?: Transaction): Promise<string> {
    const sealed = this.deps.encryptor.seal(plan, aad(runId));
    const sha256 = createHash('sha256').update(plan).digest('hex');
    await this.deps.sequelize.query(
      `INSERT INTO run_plans (run_id, tenant_id, key_id, data, sha256, size) VALUES (:runId, :tenantId, :keyId, :data, :sha256, :size)
       ON CONFLICT (run_id) DO UPDATE SET key_id = EXCLUDED.key_id, data = EXCLUDED.data, sha256 = EXCLUDED.sha256, size = EXCLUDED.size, created_at = now()`,
      { replacements: { runId, tenantId, keyId: sealed.keyId, data: sealed.data, sha256, size: plan.length }, transaction },
    );
    return sha256;
  }

  async load(runId: string): Promise<Buffer | null> {
    const [row] = await this.deps.sequelize.query<{ key_id: string; data: Buffer; sha256: string }>(
      'SELECT key_id, data, sha256 FROM run_plans WHERE run_id = :runId',
      { replacements: { runId }, type: QueryTypes.SELECT },
    );
    if (!row) return null;
    const plan = this.deps.encryptor.open({ keyId: row.key_id, data: row.data }, aad(runId));
    if (createHash('sha256').update(plan).digest('hex') !== row.sha256) throw new Error(`saved plan of run ${runId} is corrupt`);
    return plan;
  }

  async delete(runId: string, transaction?: Transaction): Promise<void> {
    await this.deps.sequelize.query('DELETE FROM run_plans WHERE run_id = :runId', { replacements: { runId }, transaction });
  }

  /** Re-seals plans made under an older key (`atlantas rotate-key`). */
  async rotate(): Promise<number> {
    const rows = await this.deps.sequelize.query<{ run_id: string; key_id: string; data: Buffer }>(
      'SELECT run_id, key_id, data FROM run_plans WHERE key_id <> :current',
      { replacements: { current: this.deps.encryptor.currentKeyId }, type: QueryTypes.SELECT },
    );
    for (const row of rows) {
      const plain = this.deps.encryptor.open({ keyId: row.key_id, data: row.data }, aad(row.run_id));
      const sealed = this.deps.encryptor.seal(plain, aad(row.run_id));
      await this.deps.sequelize.query('UPDATE run_plans SET key_id = :keyId, data = :data WHERE run_id = :runId AND key_id = :old', {
        replacements: { keyId: sealed.keyId, data: sealed.data, runId: row.run_id, old: row.key_id },
      });
    }
    return rows.length;
  }
}

const aad = (runId: string) => `run-plan:${runId}`;
