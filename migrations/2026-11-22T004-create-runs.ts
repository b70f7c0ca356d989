import type { Sequelize } from 'sequelize';

export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    CREATE TABLE IF NOT EXISTS runs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      project_id uuid REFERENCES projects(id) ON DELETE SET NULL,
      environment_id uuid REFERENCES environments(id) ON DELETE SET NULL,
      title text NOT NULL DEFAULT '',
      operation text NOT NULL CHECK (operation IN ('plan', 'apply', 'destroy', 'refresh')),
      source text NOT NULL,
      status text NOT NULL DEFAULT 'pending',
      repo_full_name text NOT NULL,
      repo_url text NOT NULL DEFAULT '',
      dir text NOT NULL DEFAULT '.',
      workspace text NOT NULL DEFAULT 'default',
      project_name text NOT NULL DEFAULT '',
      state_name text,
      batch_id uuid,
      depends_on_run_ids uuid[] NOT NULL DEFAULT '{}',
      ref text NOT NULL DEFAULT '',
      commit_sha text NOT NULL DEFAULT '',
      pr_number integer,
      pr_url text,
      extra_args jsonb NOT NULL DEFAULT '[]'::jsonb,
      auto_apply boolean NOT NULL DEFAULT false,
      has_changes boolean,
      resources_added integer,
      resources_changed integer,
      resources_destroyed integer,
      resources_imported integer,
      summary text,
      resource_changes jsonb,
      resource_drift jsonb,
      error text,
      status_reason text,
      actor_kind text NOT NULL,
      actor_id text,
      actor_name text NOT NULL,
      via text NOT NULL,
      approved_by text,
      approved_at timestamptz,
      state_serial_at_plan integer,
      state_lineage_at_plan text,
      scheduled_at timestamptz,
      queued_at timestamptz,
      started_at timestamptz,
      planned_at timestamptz,
      finished_at timestamptz,
      worker_id text,
      runner_pid integer,
      heartbeat_at timestamptz,
      cancel_requested_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX IF NOT EXISTS runs_tenant_created_idx ON runs (tenant_id, created_at DESC);
    CREATE INDEX IF NOT EXISTS runs_status_idx ON runs (status, scheduled_at);
    CREATE INDEX IF NOT EXISTS runs_target_idx ON runs (tenant_id, repo_full_name, dir, workspace, project_name);
    CREATE INDEX IF NOT EXISTS runs_pr_idx ON runs (tenant_id, repo_full_name, pr_number);
    CREATE INDEX IF NOT EXISTS runs_batch_idx ON runs (batch_id);
    -- The database itself guarantees at most one active terraform run per repo/dir/workspace.
    CREATE UNIQUE INDEX IF NOT EXISTS runs_one_active_idx ON runs (tenant_id, repo_full_name, dir, workspace)
      WHERE status IN ('planning', 'applying');
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query('DROP TABLE IF EXISTS runs');
}
