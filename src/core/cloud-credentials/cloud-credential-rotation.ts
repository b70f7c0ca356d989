import type { Sequelize } from 'sequelize';
import type { Logger } from '../../logger.js';
import type { Encryptor } from '../secrets/encryption.js';
import type { Rotatable } from '../secrets/rotation.js';
import { cloudCredentialAad, type CloudCredentialRepository } from './cloud-credential.repository.js';

/** `atlantas rotate-key` re-seals the secrets of cloud credentials (few rows: one transaction). */
export class CloudCredentialRotation implements Rotatable {
  readonly name = 'cloud credentials';

  constructor(private readonly deps: { sequelize: Sequelize; repo: CloudCredentialRepository }) {}

  async rotate(encryptor: Encryptor, log: Logger): Promise<number> {
    const rotated = await this.deps.sequelize.transaction(async (transaction) => {
      let n = 0;
      for (const row of await this.deps.repo.all(transaction)) {
        if (!encryptor.isStale(row.secrets)) continue;
        const aad = cloudCredentialAad(row.tenantId, row.id);
        await this.deps.repo.reseal(row.id, encryptor.seal(encryptor.open(row.secrets, aad), aad), transaction);
        n++;
      }
      return n;
    });
    if (rotated) log.info({ rotated }, 'cloud credentials re-sealed');
    return rotated;
  }
}
