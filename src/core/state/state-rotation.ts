import type { Sequelize } from 'sequelize';
import type { Logger } from '../../logger.js';
import type { Encryptor } from '../secrets/encryption.js';
import { rotateInBatches, type Rotatable, type RotateOptions } from '../secrets/rotation.js';
import type { StateRepository } from './state.repository.js';
import { stateVersionAad } from './state-version.model.js';

/**
 * Re-seals state versions under the current key. The plaintext, and so the version, is unchanged:
 * this is the one update a version row ever gets.
 */
export class StateVersionRotation implements Rotatable {
  readonly name = 'state versions';

  constructor(private readonly deps: { sequelize: Sequelize; repo: StateRepository }) {}

  rotate(encryptor: Encryptor, log: Logger, options: RotateOptions = {}): Promise<number> {
    const { repo } = this.deps;
    return rotateInBatches(this.deps.sequelize, options.batchSize ?? 50, async (transaction, limit) => {
      const stale = await repo.versionIdsNotUnderKey(encryptor.currentKeyId, limit, transaction);
      for (const id of stale) {
        // One ciphertext in memory at a time: versions can be tens of megabytes.
        const version = (await repo.versionWithDataById(id, transaction))!;
        const aad = stateVersionAad(version.stateId, version.version);
        await repo.resealVersion(id, encryptor.seal(encryptor.open({ keyId: version.keyId, data: version.data }, aad), aad), transaction);
      }
      if (stale.length) log.debug({ count: stale.length }, 'state versions re-encrypted');
      return stale.length;
    });
  }
}
