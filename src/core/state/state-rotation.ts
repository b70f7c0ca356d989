import { Op, type Sequelize } from 'sequelize';
import type { Logger } from '../../logger.js';
import type { Encryptor } from '../secrets/encryption.js';
import { rotateInBatches, type Rotatable, type RotateOptions } from '../secrets/rotation.js';
import { stateVersionAad, type StateVersionModel } from './state-version.model.js';

/**
 * Re-seals state versions under the current key. The plaintext, and so the version, is unchanged:
 * this is the one update a version row ever gets.
 */
export class StateVersionRotation implements Rotatable {
  readonly name = 'state versions';

  constructor(private readonly deps: { sequelize: Sequelize; versions: StateVersionModel }) {}

  rotate(encryptor: Encryptor, log: Logger, options: RotateOptions = {}): Promise<number> {
    const { versions } = this.deps;
    return rotateInBatches(this.deps.sequelize, options.batchSize ?? 50, async (transaction, limit) => {
      const stale = await versions.findAll({
        attributes: ['id'], where: { keyId: { [Op.ne]: encryptor.currentKeyId } }, order: [['createdAt', 'ASC'], ['id', 'ASC']],
        limit, lock: transaction.LOCK.UPDATE, skipLocked: true, transaction,
      });
      for (const { id } of stale.map((r) => r.get({ plain: true }))) {
        // One ciphertext in memory at a time: versions can be tens of megabytes.
        const row = (await versions.findByPk(id, { transaction }))!;
        const aad = stateVersionAad(row.getDataValue('stateId'), row.getDataValue('version'));
        const sealed = encryptor.seal(encryptor.open({ keyId: row.getDataValue('keyId'), data: row.getDataValue('data') }, aad), aad);
        await row.update({ keyId: sealed.keyId, data: sealed.data }, { transaction });
      }
      if (stale.length) log.debug({ count: stale.length }, 'state versions re-encrypted');
      return stale.length;
    });
  }
}
