import type { Sequelize } from 'sequelize';

/**
 * Remote runners: pools (a tenant's, or shared when tenant_id is null), their tokens (only the
 * SHA-256 is stored), the runners that registered with one, and which pool a project's runs
 * (or, by default, a tenant's) wait for. A run with no pool is claimed by in-process workers only.
 */
export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    CREATE TABLE runner_pools (
      id uuid PRIMARY KEY,
      tenant_id uuid REFERENCES tenants(id) ON DELETE CASCADE,
      name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE runner_tokens (
      id uuid PRIMARY KEY,
      pool_id uuid NOT NULL REFERENCES runner_pools(id) ON DELETE CASCADE,
      name text NOT NULL,
      token_hash text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE runners (
      id uuid PRIMARY KEY,
      pool_id uuid NOT NULL REFERENCES runner_pools(id) ON DELETE CASCADE,
      token_id uuid NOT NULL REFERENCES runner_tokens(id) ON DELETE CASCADE,
      name text NOT NULL,
      version text NOT NULL,
      last_heartbeat_at timestamptz NOT NULL DEFAULT now(),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    ALTER TABLE projects ADD COLUMN runner_pool_id uuid REFERENCES runner_pools(id) ON DELETE SET NULL;
    ALTER TABLE tenants ADD COLUMN default_runner_pool_id uuid REFERENCES runner_pools(id) ON DELETE SET NULL;
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query(`
    ALTER TABLE tenants DROP COLUMN IF EXISTS default_runner_pool_id;
    ALTER TABLE projects DROP COLUMN IF EXISTS runner_pool_id;
    DROP TABLE IF EXISTS runners;
    DROP TABLE IF EXISTS runner_tokens;
    DROP TABLE IF EXISTS runner_pools;
  `);
}
