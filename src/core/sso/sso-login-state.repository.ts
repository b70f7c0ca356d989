import { createHash } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';

/**
 * What a login in flight needs back when the IdP returns the browser: the OIDC/OAuth state's
 * PKCE verifier, nonce and redirect_uri, or a SAML AuthnRequest id. Rows are keyed by a SHA-256
 * of the state (the state itself only travels through the browser), expire after a few minutes
 * and are deleted when used, in one statement, so a state works once on any replica.
 */
export interface SsoLoginState {
  providerId: string;
  codeVerifier: string | null;
  nonce: string | null;
  redirectUri: string | null;
  expiresAt: Date;
}

export const stateHash = (providerId: string, state: string): string =>
  createHash('sha256').update(`${providerId}\n${state}`).digest('hex');

export class SsoLoginStateRepository {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  async save(state: string, v: SsoLoginState): Promise<void> {
    await this.deps.sequelize.query(
      `INSERT INTO sso_login_states (state_hash, provider_id, code_verifier, nonce, redirect_uri, expires_at)
       VALUES (:hash, :providerId, :codeVerifier, :nonce, :redirectUri, :expiresAt)`,
      { replacements: { ...v, hash: stateHash(v.providerId, state) } },
    );
    // Logins that were started and never finished are of no use: prune while here.
    await this.deps.sequelize.query('DELETE FROM sso_login_states WHERE expires_at < now()');
  }

  /** The state if it is known, unexpired at `now` and not used yet; it is used up either way. */
  async consume(providerId: string, state: string, now: Date): Promise<SsoLoginState | null> {
    const [row] = await this.deps.sequelize.query<SsoLoginState>(
      `DELETE FROM sso_login_states WHERE state_hash = :hash AND provider_id = :providerId
       RETURNING provider_id AS "providerId", code_verifier AS "codeVerifier", nonce, redirect_uri AS "redirectUri", expires_at AS "expiresAt"`,
      { replacements: { hash: stateHash(providerId, state), providerId }, type: QueryTypes.SELECT },
    );
    return row && row.expiresAt > now ? row : null;
  }

  /** Whether the state is known and unexpired, without using it (SAML's InResponseTo check before the signature check). */
  async peek(providerId: string, state: string, now: Date): Promise<boolean> {
    const rows = await this.deps.sequelize.query(
      'SELECT 1 FROM sso_login_states WHERE state_hash = :hash AND provider_id = :providerId AND expires_at > :now',
      { replacements: { hash: stateHash(providerId, state), providerId, now }, type: QueryTypes.SELECT },
    );
    return rows.length > 0;
  }
}
