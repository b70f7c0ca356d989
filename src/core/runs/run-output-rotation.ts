import type { Sequelize } from 'sequelize';
import type { Logger } from '../../logger.js';
import type { Encryptor, Sealed } from '../secrets/encryption.js';
import { rotateInBatches, type Rotatable, type RotateOptions } from '../secrets/rotation.js';
import type { RunLogRepository } from './run-log.repository.js';
import { runLogAad } from './run-logs.js';
import type { RunRepository } from './run.repository.js';
import { RunSealer, type SealedRunField } from './run-sealing.js';

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

  constructor(private readonly deps: { sequelize: Sequelize; repo: RunLogRepository }) {}

  rotate(encryptor: Encryptor, log: Logger, options: RotateOptions = {}): Promise<number> {
    const { repo } = this.deps;
    let after = { runId: '00000000-0000-0000-0000-000000000000', seq: -1 };
    return rotateInBatches(this.deps.sequelize, options.batchSize ?? 200, async (transaction, limit) => {
      const chunks = await repo.notUnderKey(encryptor.currentKeyId, after, limit, transaction);
      for (const chunk of chunks) {
        const aad = runLogAad(chunk.runId, chunk.seq);
        await repo.reseal(chunk.runId, chunk.seq, encryptor.seal(encryptor.open(chunk, aad), aad), transaction);
      }
      if (chunks.length) {
        after = { runId: chunks.at(-1)!.runId, seq: chunks.at(-1)!.seq };
        log.debug({ count: chunks.length }, 'run log chunks re-encrypted');
      }
      return chunks.length;
    });
  }
}

/** Re-seals the sealed fields of runs (error, resource changes and drift, extra args) under the current key. */
export class RunFieldRotation implements Rotatable {
  readonly name = 'run details';

  constructor(private readonly deps: { sequelize: Sequelize; repo: RunRepository }) {}

  rotate(encryptor: Encryptor, log: Logger, options: RotateOptions = {}): Promise<number> {
    const { repo } = this.deps;
    const sealer = new RunSealer(encryptor);
    let after = '00000000-0000-0000-0000-000000000000';
    return rotateInBatches(this.deps.sequelize, options.batchSize ?? 200, async (transaction, limit) => {
      const runs = await repo.sealedFieldsNotUnderKey(encryptor.currentKeyId, after, limit, transaction);
      for (const run of runs) {
        const resealed: Partial<Record<SealedRunField, Sealed | null>> = {};
        for (const [field, stored] of Object.entries(run.fields) as [SealedRunField, Sealed][]) {
          if (stored.keyId === encryptor.currentKeyId) continue;
          resealed[field] = sealer.sealField(run.id, field, sealer.openField(run.id, field, stored.keyId, stored.data));
        }
        await repo.resealFields(run.id, resealed, transaction);
      }
      if (runs.length) {
        after = runs.at(-1)!.id;
        log.debug({ count: runs.length }, 'run details re-encrypted');
      }
      return runs.length;
    });
  }
}
