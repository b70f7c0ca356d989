import type { Sequelize } from 'sequelize';
import type { Logger } from '../../logger.js';
import type { Encryptor } from '../secrets/encryption.js';
import { rotateInBatches, type Rotatable, type RotateOptions } from '../secrets/rotation.js';
import { ssoSecretAad, type SsoProviderRepository } from './sso-provider.repository.js';

/** `atlantas rotate-key` re-seals SSO client secrets and SP private keys. */
export class SsoSecretRotation implements Rotatable {
  readonly name = 'sso provider secrets';

  constructor(private readonly deps: { sequelize: Sequelize; repo: SsoProviderRepository }) {}

  async rotate(encryptor: Encryptor, log: Logger, options: RotateOptions = {}): Promise<number> {
    const rotated = await rotateInBatches(this.deps.sequelize, options.batchSize ?? 100, async (transaction, limit) => {
      const rows = await this.deps.repo.stale(encryptor.currentKeyId, limit, transaction);
      for (const row of rows) {
        const aad = ssoSecretAad(row.id);
        await this.deps.repo.reseal(row.id, encryptor.seal(encryptor.open(row.secret!, aad), aad), transaction);
      }
      return rows.length;
    });
    if (rotated) log.info({ rotated }, 'sso provider secrets re-sealed');
    return rotated;
  }
}
