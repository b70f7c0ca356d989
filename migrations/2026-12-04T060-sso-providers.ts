import type { Sequelize } from 'sequelize';

/**
 * Tenant SSO (issue 14): the identity providers a tenant configured (OIDC, Google, GitHub, SAML).
 * The client secret and the SP private key are sealed (key id + ciphertext), never stored in
 * clear; everything else is plain configuration. `sso_login_states` holds what a login in flight
 * needs back at the callback (OIDC state → PKCE verifier and nonce, SAML AuthnRequest id), keyed
 * by a SHA-256 of the state, used once and short-lived, so any replica can finish a login.
 */
export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    CREATE TABLE sso_providers (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      name text NOT NULL,
      provider_type text NOT NULL,
      enabled boolean NOT NULL DEFAULT true,
      client_id text,
      issuer_url text,
      settings jsonb NOT NULL DEFAULT '{}',
      default_role text NOT NULL DEFAULT 'viewer',
      group_role_mapping jsonb NOT NULL DEFAULT '{}',
      allowed_domains jsonb NOT NULL DEFAULT '[]',
      secret_key_id text,
      secret bytea,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, name)
    );
    CREATE TABLE sso_login_states (
      state_hash text PRIMARY KEY,
      provider_id uuid NOT NULL REFERENCES sso_providers(id) ON DELETE CASCADE,
      code_verifier text,
      nonce text,
      redirect_uri text,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX sso_login_states_expiry ON sso_login_states (expires_at);
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query(`
    DROP TABLE IF EXISTS sso_login_states;
    DROP TABLE IF EXISTS sso_providers;
  `);
}
