import { QueryTypes, type Sequelize } from 'sequelize';
import type { Logger } from '../../logger.js';
import type { Encryptor } from '../secrets/encryption.js';
import { rotateInBatches, type Rotatable, type RotateOptions } from '../secrets/rotation.js';
import { runLogAad } from './run-logs.js';
import { RunSealer, SEALED_RUN_COLUMNS, SEALED_RUN_FIELDS } from './run-sealing.js';

/*
 * `atlantas rotate-key` for what runs keep from terraform: log chunks and the sealed fields of
 * runs. Both walk their table in key order from a cursor (no full scan per batch: these are the
 * biggest tables), one transaction per batch; committed batches stay done, and a second run finds
 * nothing under an old key. Rows are locked plainly, not skipped: a run row is briefly locked by
 * the queue, and a skipped row would be left behind the cursor.
 */

/** Re-seals run log chunks under the current key. */
export class RunLogRotation implements Rotatable {
  readonly name = 'run logs';

  constructor(private readonly deps: { sequelize: Sequelize }) {}

  rotate(encryptor: Encryptor, log: Logger, options: RotateOptions = {}): Promise<number> {
    const { sequelize } = this.deps;
    let after = { runId: '00000000-0000-0000-0000-000000000000', seq: -1 };
    return rotateInBatches(sequelize, options.batchSize ?? 200, async (transaction, limit) => {
      const rows = await sequelize.query<{ run_id: string; seq: number; key_id: string; data: Buffer }>(
        `SELECT run_id, seq, key_id, data FROM run_logs WHERE (run_id, seq) > (:runId, :seq) AND key_id <> :current
         ORDER BY run_id, seq LIMIT :limit FOR UPDATE`,
        { replacements: { ...after, current: encryptor.currentKeyId, limit }, type: QueryTypes.SELECT, transaction },
      );
      for (const row of rows) {
        const aad = runLogAad(row.run_id, row.seq);
        const sealed = encryptor.seal(encryptor.open({ keyId: row.key_id, data: row.data }, aad), aad);
        await sequelize.query('UPDATE run_logs SET key_id = :keyId, data = :data WHERE run_id = :runId AND seq = :seq', {
          replacements: { keyId: sealed.keyId, data: sealed.data, runId: row.run_id, seq: row.seq }, transaction,
        });
      }
      if (rows.length) {
        after = { runId: rows.at(-1)!.run_id, seq: rows.at(-1)!.seq };
        log.debug({ count: rows.length }, 'run log chunks re-encrypted');
      }
      return rows.length;
    });
  }
}

/** Re-seals the sealed fields of runs (error, resource changes and drift, extra args) under the current key. */
export class RunFieldRotation implements Rotatable {
  readonly name = 'run details';

  constructor(private readonly deps: { sequelize: Sequelize }) {}

  rotate(encryptor: Encryptor, log: Logger, options: RotateOptions = {}): Promise<number> {
    const { sequelize } = this.deps;
    const sealer = new RunSealer(encryptor);
    const columns = SEALED_RUN_FIELDS.map((f) => SEALED_RUN_COLUMNS[f]);
    const stale = columns.map((c) => `${c}_key_id <> :current`).join(' OR ');
    let after = '00000000-0000-0000-0000-000000000000';
    return rotateInBatches(sequelize, options.batchSize ?? 200, async (transaction, limit) => {
      const rows = await sequelize.query<Record<string, unknown> & { id: string }>(
        `SELECT id, ${columns.map((c) => `${c}_key_id, ${c}_sealed`).join(', ')} FROM runs
         WHERE id > :after AND (${stale}) ORDER BY id LIMIT :limit FOR UPDATE`,
        { replacements: { after, current: encryptor.currentKeyId, limit }, type: QueryTypes.SELECT, transaction },
      );
      for (const row of rows) {
        const set: Record<string, unknown> = {};
        for (const field of SEALED_RUN_FIELDS) {
          const c = SEALED_RUN_COLUMNS[field];
          const keyId = row[`${c}_key_id`] as string | null;
          if (keyId === null || keyId === encryptor.currentKeyId) continue;
          const sealed = sealer.sealField(row.id, field, sealer.openField(row.id, field, keyId, row[`${c}_sealed`] as Buffer));
          Object.assign(set, { [`${c}_key_id`]: sealed?.keyId ?? null, [`${c}_sealed`]: sealed?.data ?? null });
        }
        // Not updated_at: the run did not change.
        await sequelize.query(`UPDATE runs SET ${Object.keys(set).map((k) => `${k} = :${k}`).join(', ')} WHERE id = :id`, {
          replacements: { ...set, id: row.id }, transaction,
        });
      }
      if (rows.length) {
        after = rows.at(-1)!.id;
        log.debug({ count: rows.length }, 'run details re-encrypted');
      }
      return rows.length;
    });
  }
}
