import type { Sequelize } from 'sequelize';

/**
 * TFE remote runs (issue 15 part 4). A configuration version is an uploaded tar.gz of a
 * configuration: announced with a one-use upload URL (its token kept as a SHA-256), then the
 * archive sealed at rest. A TFE run is an Atlantas run (`runs`) plus what only TFE says about it
 * (its workspace, configuration version, message, flags). Run triggers queue a downstream
 * workspace's run after an upstream apply.
 */
export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    CREATE TABLE tfe_configuration_versions (
      id text PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      workspace_id text NOT NULL REFERENCES tfe_workspaces(id) ON DELETE CASCADE,
      status text NOT NULL DEFAULT 'pending',
      error_message text,
      auto_queue_runs boolean NOT NULL DEFAULT true,
      speculative boolean NOT NULL DEFAULT false,
      provisional boolean NOT NULL DEFAULT false,
      upload_token_hash text,
      upload_expires_at timestamptz NOT NULL,
      archive_key_id text,
      archive_sealed bytea,
      archive_sha256 text,
      archive_size integer,
      actor jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      uploaded_at timestamptz
    );
    CREATE INDEX tfe_configuration_versions_workspace ON tfe_configuration_versions (tenant_id, workspace_id, created_at DESC);
    CREATE TABLE tfe_runs (
      run_id uuid PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      workspace_id text NOT NULL REFERENCES tfe_workspaces(id) ON DELETE CASCADE,
      configuration_version_id text NOT NULL REFERENCES tfe_configuration_versions(id) ON DELETE CASCADE,
      message text NOT NULL DEFAULT '',
      is_destroy boolean NOT NULL DEFAULT false,
      refresh_only boolean NOT NULL DEFAULT false,
      plan_only boolean NOT NULL DEFAULT false,
      target_addrs text[] NOT NULL DEFAULT '{}',
      replace_addrs text[] NOT NULL DEFAULT '{}',
      triggered_by text,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX tfe_runs_workspace ON tfe_runs (tenant_id, workspace_id, created_at DESC);
    CREATE TABLE tfe_run_triggers (
      id text PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      workspace_id text NOT NULL REFERENCES tfe_workspaces(id) ON DELETE CASCADE,
      sourceable_id text NOT NULL REFERENCES tfe_workspaces(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (workspace_id, sourceable_id)
    );
    CREATE INDEX tfe_run_triggers_source ON tfe_run_triggers (tenant_id, sourceable_id);
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query('DROP TABLE IF EXISTS tfe_run_triggers; DROP TABLE IF EXISTS tfe_runs; DROP TABLE IF EXISTS tfe_configuration_versions;');
}
