import type { Sequelize } from 'sequelize';

/**
 * The TFE V2 API (issue 15): a TFE workspace names one Atlantas state (a registered project's
 * state, or a state of the workspace's name) and carries the settings the terraform CLI reads.
 * A state version created through TFE waits in tfe_state_uploads until its bytes arrive at the
 * one-use upload URL; `terraform login` codes (PKCE) live in tfe_oauth_codes for a few minutes.
 */
export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    CREATE TABLE tfe_workspaces (
      id text PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      name text NOT NULL,
      project_id uuid REFERENCES projects(id) ON DELETE SET NULL,
      state_name text NOT NULL,
      state_workspace text NOT NULL,
      description text NOT NULL DEFAULT '',
      execution_mode text NOT NULL DEFAULT 'local',
      auto_apply boolean NOT NULL DEFAULT false,
      terraform_version text NOT NULL DEFAULT 'latest',
      working_directory text NOT NULL DEFAULT '',
      tags text[] NOT NULL DEFAULT '{}',
      labels jsonb NOT NULL DEFAULT '{}',
      vcs_repo jsonb,
      agent_pool_id text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, name),
      UNIQUE (tenant_id, state_name, state_workspace)
    );
    CREATE TABLE tfe_state_uploads (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      workspace_id text NOT NULL REFERENCES tfe_workspaces(id) ON DELETE CASCADE,
      token_hash text NOT NULL,
      serial bigint NOT NULL,
      lineage text NOT NULL,
      md5 text NOT NULL,
      lock_id text,
      actor jsonb NOT NULL,
      status text NOT NULL DEFAULT 'pending',
      state_version_id uuid REFERENCES state_versions(id) ON DELETE SET NULL,
      json_uploaded boolean NOT NULL DEFAULT false,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX tfe_state_uploads_expiry ON tfe_state_uploads (expires_at);
    CREATE TABLE tfe_oauth_codes (
      code_hash text PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      client_id text NOT NULL,
      redirect_uri text NOT NULL,
      code_challenge text NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query('DROP TABLE IF EXISTS tfe_oauth_codes; DROP TABLE IF EXISTS tfe_state_uploads; DROP TABLE IF EXISTS tfe_workspaces;');
}
