import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { User } from '../auth/user.model.js';

export interface SlackLinkCodeUse {
  tenantId: string;
  userId: string;
}

const USER = `u.id, u.tenant_id AS "tenantId", u.email, u.name, u.role, u.is_active AS "isActive", u.is_platform_admin AS "isPlatformAdmin"`;

/** Which Atlantas user a Slack user is: explicit links, the one-time codes that make them, and the email match. */
export class SlackIdentityRepository {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  private q<T extends object>(sql: string, replacements: Record<string, unknown>, transaction?: Transaction): Promise<T[]> {
    return this.deps.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction });
  }

  /** The active user a Slack user of this team was linked to, within the tenant that owns the team. */
  async linkedUser(tenantId: string, teamId: string, slackUserId: string): Promise<Omit<User, 'passwordHash' | 'createdAt' | 'updatedAt'> | null> {
    const rows = await this.q<User>(
      `SELECT ${USER} FROM slack_user_links l JOIN users u ON u.id = l.user_id AND u.tenant_id = l.tenant_id
       WHERE l.tenant_id = :tenantId AND l.team_id = :teamId AND l.slack_user_id = :slackUserId AND u.is_active`,
      { tenantId, teamId, slackUserId },
    );
    return rows[0] ?? null;
  }

  /** The active user of this tenant with this email (case-insensitive). */
  async userByEmail(tenantId: string, email: string): Promise<Omit<User, 'passwordHash' | 'createdAt' | 'updatedAt'> | null> {
    const rows = await this.q<User>(`SELECT ${USER} FROM users u WHERE u.tenant_id = :tenantId AND lower(u.email) = :email AND u.is_active`, {
      tenantId, email: email.trim().toLowerCase(),
    });
    return rows[0] ?? null;
  }

  async userById(tenantId: string, userId: string): Promise<Omit<User, 'passwordHash' | 'createdAt' | 'updatedAt'> | null> {
    const rows = await this.q<User>(`SELECT ${USER} FROM users u WHERE u.tenant_id = :tenantId AND u.id = :userId AND u.is_active`, { tenantId, userId });
    return rows[0] ?? null;
  }

  async insertCode(codeHash: string, tenantId: string, userId: string, expiresAt: Date, transaction?: Transaction): Promise<void> {
    await this.q(`INSERT INTO slack_link_codes (code_hash, tenant_id, user_id, expires_at) VALUES (:codeHash, :tenantId, :userId, :expiresAt) RETURNING code_hash`, {
      codeHash, tenantId, userId, expiresAt,
    }, transaction);
  }

  /**
   * Spends a code: one conditional update, so a code works once even when two replicas receive
   * it at the same moment. Null when it is unknown, used, expired or of another tenant.
   */
  async spendCode(codeHash: string, tenantId: string, now: Date, transaction: Transaction): Promise<SlackLinkCodeUse | null> {
    const rows = await this.q<SlackLinkCodeUse>(
      `UPDATE slack_link_codes SET used_at = :now
       WHERE code_hash = :codeHash AND tenant_id = :tenantId AND used_at IS NULL AND expires_at > :now
       RETURNING tenant_id AS "tenantId", user_id AS "userId"`,
      { codeHash, tenantId, now },
      transaction,
    );
    return rows[0] ?? null;
  }

  async link(teamId: string, slackUserId: string, tenantId: string, userId: string, transaction: Transaction): Promise<void> {
    await this.q(
      `INSERT INTO slack_user_links (team_id, slack_user_id, tenant_id, user_id) VALUES (:teamId, :slackUserId, :tenantId, :userId)
       ON CONFLICT (team_id, slack_user_id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, user_id = EXCLUDED.user_id, created_at = now()
       RETURNING team_id`,
      { teamId, slackUserId, tenantId, userId },
      transaction,
    );
  }

  /** A team that changes hands takes none of its links along. */
  async unlinkTeam(teamId: string, transaction?: Transaction): Promise<void> {
    await this.deps.sequelize.query(`DELETE FROM slack_user_links WHERE team_id = :teamId`, { replacements: { teamId }, transaction });
  }
}
