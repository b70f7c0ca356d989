import { createHash } from 'node:crypto';
import type { Transaction } from 'sequelize';
import type { Encryptor } from '../secrets/encryption.js';
import type { RunPlanRepository } from './run-plan.repository.js';

/**
 * Saved plan files, encrypted (AES-256-GCM, bound to their run id) so that apply can run on any
 * replica and always applies exactly what was planned. Deleted once the run ends.
 */
export class PlanStore {
  constructor(private readonly deps: { repo: RunPlanRepository; encryptor: Encryptor }) {}

  async save(tenantId: string, runId: string, plan: Buffer, transaction?: Transaction): Promise<string> {
    const sealed = this.deps.encryptor.seal(plan, aad(runId));
    const sha256 = createHash('sha256').update(plan).digest('hex');
    await this.deps.repo.save(tenantId, { runId, keyId: sealed.keyId, data: sealed.data, sha256, size: plan.length }, transaction);
    return sha256;
  }

  async load(runId: string): Promise<Buffer | null> {
    const stored = await this.deps.repo.find(runId);
    if (!stored) return null;
    const plan = this.deps.encryptor.open(stored, aad(runId));
    if (createHash('sha256').update(plan).digest('hex') !== stored.sha256) throw new Error(`saved plan of run ${runId} is corrupt`);
    return plan;
  }

  /** Re-seals plans made under an older key (`atlantas rotate-key`). */
  async rotate(): Promise<number> {
    const stale = await this.deps.repo.notUnderKey(this.deps.encryptor.currentKeyId);
    for (const plan of stale) {
      const plain = this.deps.encryptor.open(plan, aad(plan.runId));
      await this.deps.repo.reseal(plan.runId, plan.keyId, this.deps.encryptor.seal(plain, aad(plan.runId)));
    }
    return stale.length;
  }
}

const aad = (runId: string) => `run-plan:${runId}`;
