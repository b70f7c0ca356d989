import type { Sequelize } from 'sequelize';

export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    CREATE TABLE IF NOT EXISTS tenants (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      slug text NOT NULL UNIQUE,
      max_instances integer NOT NULL DEFAULT 10 CHECK (max_instances >= 0),
      max_environments integer NOT NULL DEFAULT 20 CHECK (max_environments >= 0),
      cpu_quota text NOT NULL DEFAULT '4000m',
      memory_quota text NOT NULL DEFAULT '8Gi',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE IF NOT EXISTS users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      email text NOT NULL,
      name text NOT NULL DEFAULT '',
      password_hash text NOT NULL,
      role text NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
      is_active boolean NOT NULL DEFAULT true,
      is_platform_admin boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX IF NOT EXISTS users_email_key ON users (lower(email));
    CREATE INDEX IF NOT EXISTS users_tenant_idx ON users (tenant_id);
    CREATE TABLE IF NOT EXISTS api_tokens (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      name text NOT NULL,
      token_hash text NOT NULL UNIQUE,
      token_prefix text NOT NULL,
      expires_at timestamptz,
      revoked_at timestamptz,
      last_used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX IF NOT EXISTS api_tokens_user_idx ON api_tokens (user_id);
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query('DROP TABLE IF EXISTS api_tokens; DROP TABLE IF EXISTS users; DROP TABLE IF EXISTS tenants;');
}
