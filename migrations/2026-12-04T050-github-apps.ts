import type { Sequelize } from 'sequelize';

/**
 * GitHub Apps that tenants register (issue 14): one row per installation (an installation id has
 * one owner), its private key and webhook secret sealed, never stored in clear; and the
 * repositories each installation reaches as GitHub listed them, which is what decides that a
 * repository belongs to that tenant (and to no other).
 */
export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    CREATE TABLE github_apps (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      name text NOT NULL,
      app_id text NOT NULL,
      installation_id text NOT NULL UNIQUE,
      account_login text NOT NULL,
      private_key_key_id text NOT NULL,
      private_key bytea NOT NULL,
      webhook_secret_key_id text,
      webhook_secret bytea,
      repos_synced_at timestamptz,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX github_apps_tenant ON github_apps (tenant_id);
    CREATE INDEX github_apps_app_id ON github_apps (app_id);
    CREATE TABLE github_app_repos (
      github_app_id uuid NOT NULL REFERENCES github_apps(id) ON DELETE CASCADE,
      full_name text NOT NULL,
      full_name_lower text NOT NULL,
      default_branch text NOT NULL,
      private boolean NOT NULL DEFAULT false,
      PRIMARY KEY (github_app_id, full_name_lower)
    );
    CREATE INDEX github_app_repos_name ON github_app_repos (full_name_lower);
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query(`
    DROP TABLE IF EXISTS github_app_repos;
    DROP TABLE IF EXISTS github_apps;
  `);
}
