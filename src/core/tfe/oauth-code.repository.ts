import { QueryTypes, type Sequelize } from 'sequelize';

export interface OAuthCode {
  tenantId: string;
  userId: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
}

/** `terraform login` authorization codes (`tfe_oauth_codes`), stored as SHA-256, used once. */
export class OAuthCodeRepository {
  constructor(private readonly sequelize: Sequelize) {}

  async insert(codeHash: string, code: OAuthCode, expiresAt: Date): Promise<void> {
    await this.sequelize.query("DELETE FROM tfe_oauth_codes WHERE expires_at < now() - interval '1 hour'");
    await this.sequelize.query(
      `INSERT INTO tfe_oauth_codes (code_hash, tenant_id, user_id, client_id, redirect_uri, code_challenge, expires_at)
       VALUES (:codeHash, :tenantId, :userId, :clientId, :redirectUri, :codeChallenge, :expiresAt)`,
      { replacements: { codeHash, ...code, expiresAt } },
    );
  }

  /** Marks the code used and returns it; null when unknown, used already, or expired. */
  async consume(codeHash: string, now: Date): Promise<OAuthCode | null> {
    const [row] = await this.sequelize.query<OAuthCode>(
      `UPDATE tfe_oauth_codes SET used_at = :now WHERE code_hash = :codeHash AND used_at IS NULL AND expires_at > :now
       RETURNING tenant_id AS "tenantId", user_id AS "userId", client_id AS "clientId", redirect_uri AS "redirectUri", code_challenge AS "codeChallenge"`,
      { replacements: { codeHash, now }, type: QueryTypes.SELECT },
    );
    return row ?? null;
  }
}
