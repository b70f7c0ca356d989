import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Sealed } from '../secrets/encryption.js';

/** A workspace the app is installed in, as stored: the bot token stays sealed here. */
export interface SlackInstallationRow {
  id: string;
  tenantId: string;
  teamId: string;
  teamName: string;
  botUserId: string | null;
  botToken: Sealed;
  defaultChannel: string | null;
  installedBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** Binds a sealed bot token to its team: a ciphertext copied to another row does not open. */
export function botTokenAad(teamId: string): string {
  return `slack_installation:${teamId}`;
}

export type NewSlackInstallation = Omit<SlackInstallationRow, 'id' | 'createdAt' | 'updatedAt'>;

const COLUMNS = `id, tenant_id AS "tenantId", team_id AS "teamId", team_name AS "teamName", bot_user_id AS "botUserId",
  bot_token_key_id AS "keyId", bot_token AS "data", default_channel AS "defaultChannel", installed_by AS "installedBy",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

type Raw = Omit<SlackInstallationRow, 'botToken'> & { keyId: string; data: Buffer };

function toRow({ keyId, data, ...rest }: Raw): SlackInstallationRow {
  return { ...rest, botToken: { keyId, data } };
}

/** Queries on Slack installations. Only `upsert` decides ownership: a team belongs to the tenant that has it. */
export class SlackInstallationRepository {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  private async q(sql: string, replacements: Record<string, unknown>, transaction?: Transaction): Promise<SlackInstallationRow[]> {
    const rows = await this.deps.sequelize.query<Raw>(sql, { replacements, type: QueryTypes.SELECT, transaction });
    return rows.map(toRow);
  }

  async byTeam(teamId: string, transaction?: Transaction): Promise<SlackInstallationRow | null> {
    return (await this.q(`SELECT ${COLUMNS} FROM slack_installations WHERE team_id = :teamId`, { teamId }, transaction))[0] ?? null;
  }

  list(tenantId: string): Promise<SlackInstallationRow[]> {
    return this.q(`SELECT ${COLUMNS} FROM slack_installations WHERE tenant_id = :tenantId ORDER BY created_at, id`, { tenantId });
  }

  /**
   * Inserts the installation, or replaces the token and settings of the tenant's own one. Returns
   * null, changing nothing, when another tenant has this team: one statement, so two tenants
   * racing for the same workspace cannot both win.
   */
  async upsert(v: NewSlackInstallation, transaction?: Transaction): Promise<SlackInstallationRow | null> {
    const rows = await this.q(
      `INSERT INTO slack_installations (id, tenant_id, team_id, team_name, bot_user_id, bot_token_key_id, bot_token, default_channel, installed_by)
       VALUES (:id, :tenantId, :teamId, :teamName, :botUserId, :keyId, :data, :defaultChannel, :installedBy)
       ON CONFLICT (team_id) DO UPDATE SET team_name = EXCLUDED.team_name, bot_user_id = EXCLUDED.bot_user_id,
         bot_token_key_id = EXCLUDED.bot_token_key_id, bot_token = EXCLUDED.bot_token,
         default_channel = COALESCE(EXCLUDED.default_channel, slack_installations.default_channel),
         installed_by = EXCLUDED.installed_by, updated_at = now()
       WHERE slack_installations.tenant_id = EXCLUDED.tenant_id
       RETURNING ${COLUMNS}`,
      { ...v, id: randomUUID(), keyId: v.botToken.keyId, data: v.botToken.data },
      transaction,
    );
    return rows[0] ?? null;
  }

  async delete(tenantId: string, teamId: string, transaction?: Transaction): Promise<boolean> {
    const rows = await this.q(`DELETE FROM slack_installations WHERE tenant_id = :tenantId AND team_id = :teamId RETURNING ${COLUMNS}`, { tenantId, teamId }, transaction);
    return rows.length > 0;
  }

  /** Every sealed token, for key rotation. */
  all(transaction: Transaction): Promise<SlackInstallationRow[]> {
    return this.q(`SELECT ${COLUMNS} FROM slack_installations ORDER BY id FOR UPDATE`, {}, transaction);
  }

  async reseal(id: string, token: Sealed, transaction: Transaction): Promise<void> {
    await this.deps.sequelize.query(`UPDATE slack_installations SET bot_token_key_id = :keyId, bot_token = :data WHERE id = :id`, {
      replacements: { id, keyId: token.keyId, data: token.data }, transaction,
    });
  }
}
