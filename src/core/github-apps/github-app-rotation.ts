import type { Sequelize } from 'sequelize';
import type { Logger } from '../../logger.js';
import type { Encryptor } from '../secrets/encryption.js';
import type { Rotatable } from '../secrets/rotation.js';
import { privateKeyAad, webhookSecretAad, type GitHubAppRepository } from './github-app.repository.js';

/** `atlantas rotate-key` re-seals the private keys and webhook secrets of registered GitHub Apps (few rows: one transaction). */
export class GitHubAppRotation implements Rotatable {
  readonly name = 'github app keys';

  constructor(private readonly deps: { sequelize: Sequelize; repo: GitHubAppRepository }) {}

  async rotate(encryptor: Encryptor, log: Logger): Promise<number> {
    const rotated = await this.deps.sequelize.transaction(async (transaction) => {
      let n = 0;
      for (const row of await this.deps.repo.all(transaction)) {
        const secret = row.webhookSecret;
        if (!encryptor.isStale(row.privateKey) && !(secret && encryptor.isStale(secret))) continue;
        const pk = privateKeyAad(row.installationId);
        const ws = webhookSecretAad(row.installationId);
        await this.deps.repo.reseal(
          row.id, encryptor.seal(encryptor.open(row.privateKey, pk), pk), secret ? encryptor.seal(encryptor.open(secret, ws), ws) : null, transaction,
        );
        n++;
      }
      return n;
    });
    if (rotated) log.info({ rotated }, 'github app keys re-sealed');
    return rotated;
  }
}
