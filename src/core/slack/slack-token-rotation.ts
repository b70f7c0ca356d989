import type { Sequelize } from 'sequelize';
import type { Logger } from '../../logger.js';
import type { Encryptor } from '../secrets/encryption.js';
import type { Rotatable } from '../secrets/rotation.js';
import { botTokenAad, type SlackInstallationRepository } from './slack-installation.repository.js';

/** `atlantas rotate-key` re-seals the bot tokens of Slack installations (few rows: one transaction). */
export class SlackTokenRotation implements Rotatable {
  readonly name = 'slack bot tokens';

  constructor(private readonly deps: { sequelize: Sequelize; repo: SlackInstallationRepository }) {}

  async rotate(encryptor: Encryptor, log: Logger): Promise<number> {
    const rotated = await this.deps.sequelize.transaction(async (transaction) => {
      let n = 0;
      for (const row of await this.deps.repo.all(transaction)) {
        if (!encryptor.isStale(row.botToken)) continue;
        const aad = botTokenAad(row.teamId);
        await this.deps.repo.reseal(row.id, encryptor.seal(encryptor.open(row.botToken, aad), aad), transaction);
        n++;
      }
      return n;
    });
    if (rotated) log.info({ rotated }, 'slack bot tokens re-sealed');
    return rotated;
  }
}
