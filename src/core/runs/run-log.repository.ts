import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Sealed } from '../secrets/encryption.js';

export interface StoredChunk extends Sealed {
  runId: string;
  seq: number;
  phase: string;
}

/** Queries on `run_logs`: a run's output in sealed chunks, by sequence number. */
export class RunLogRepository {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  /** Where a run's log ends: its last sequence number (0 for none) and the plaintext bytes stored. */
  async end(runId: string): Promise<{ seq: number; bytes: number }> {
    const [row] = await this.deps.sequelize.query<{ seq: number | null; bytes: string | null }>(
      'SELECT max(seq) AS seq, sum(size) AS bytes FROM run_logs WHERE run_id = :runId',
      { replacements: { runId }, type: QueryTypes.SELECT },
    );
    return { seq: row?.seq ?? 0, bytes: Number(row?.bytes ?? 0) };
  }

  /** `size` is the plaintext length, for the per-run cap. */
  async insert(chunk: StoredChunk & { size: number }): Promise<void> {
    await this.deps.sequelize.query('INSERT INTO run_logs (run_id, seq, phase, key_id, data, size) VALUES (:runId, :seq, :phase, :keyId, :data, :size)', {
      replacements: { runId: chunk.runId, seq: chunk.seq, phase: chunk.phase, keyId: chunk.keyId, data: chunk.data, size: chunk.size },
    });
  }

  /** Chunks after `afterSeq`, in order (one phase's only, when given). */
  async read(runId: string, afterSeq: number, limit: number, phase?: string): Promise<StoredChunk[]> {
    const rows = await this.deps.sequelize.query<{ seq: number; phase: string; key_id: string; data: Buffer }>(
      `SELECT seq, phase, key_id, data FROM run_logs WHERE run_id = :runId AND seq > :afterSeq${phase ? ' AND phase = :phase' : ''} ORDER BY seq LIMIT :limit`,
      { replacements: { runId, afterSeq, limit, phase: phase ?? null }, type: QueryTypes.SELECT },
    );
    return rows.map((r) => ({ runId, seq: r.seq, phase: r.phase, keyId: r.key_id, data: r.data }));
  }

  /**
   * Up to `limit` chunks after the cursor that are sealed under another key than `keyId`, in key
   * order, locked until the transaction ends (plainly, not skipped: a skipped row would be left
   * behind the cursor).
   */
  async notUnderKey(keyId: string, after: { runId: string; seq: number }, limit: number, transaction: Transaction): Promise<StoredChunk[]> {
    const rows = await this.deps.sequelize.query<{ run_id: string; seq: number; phase: string; key_id: string; data: Buffer }>(
      `SELECT run_id, seq, phase, key_id, data FROM run_logs WHERE (run_id, seq) > (:runId, :seq) AND key_id <> :current
       ORDER BY run_id, seq LIMIT :limit FOR UPDATE`,
      { replacements: { ...after, current: keyId, limit }, type: QueryTypes.SELECT, transaction },
    );
    return rows.map((r) => ({ runId: r.run_id, seq: r.seq, phase: r.phase, keyId: r.key_id, data: r.data }));
  }

  async reseal(runId: string, seq: number, sealed: Sealed, transaction: Transaction): Promise<void> {
    await this.deps.sequelize.query('UPDATE run_logs SET key_id = :keyId, data = :data WHERE run_id = :runId AND seq = :seq', {
      replacements: { keyId: sealed.keyId, data: sealed.data, runId, seq }, transaction,
    });
  }
}
