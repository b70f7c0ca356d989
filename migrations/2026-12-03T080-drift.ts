import type { Sequelize } from 'sequelize';

/**
 * Drift: one record per checked project + workspace (the latest result, with its drifted
 * resources sealed like a run's changes), a history row per finished check, and remediations
 * (the runs a POST /api/drift/remediate queued, per project).
 */
export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    CREATE TABLE drift_records (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      project_id uuid REFERENCES projects(id) ON DELETE SET NULL,
      environment_id uuid REFERENCES environments(id) ON DELETE SET NULL,
      repo_full_name text NOT NULL,
      dir text NOT NULL,
      workspace text NOT NULL,
      project_name text NOT NULL DEFAULT '',
      ref text NOT NULL,
      commit_sha text,
      status text NOT NULL,
      reason text,
      check_id uuid,
      refresh_run_id uuid,
      plan_run_id uuid,
      has_drift boolean,
      to_add integer NOT NULL DEFAULT 0,
      to_change integer NOT NULL DEFAULT 0,
      to_destroy integer NOT NULL DEFAULT 0,
      to_import integer NOT NULL DEFAULT 0,
      summary text,
      changes_outside boolean NOT NULL DEFAULT false,
      pending_code_changes boolean NOT NULL DEFAULT false,
      details_key_id text,
      details_sealed bytea,
      fingerprint text,
      episode integer NOT NULL DEFAULT 0,
      notified_fingerprint text,
      last_checked_at timestamptz,
      resolved_at timestamptz,
      resolved_by text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, repo_full_name, dir, workspace, project_name)
    );
    CREATE INDEX drift_records_project ON drift_records (tenant_id, project_id);
    CREATE TABLE drift_history (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      record_id uuid NOT NULL REFERENCES drift_records(id) ON DELETE CASCADE,
      check_id uuid NOT NULL,
      status text NOT NULL,
      reason text,
      has_drift boolean,
      to_add integer NOT NULL DEFAULT 0,
      to_change integer NOT NULL DEFAULT 0,
      to_destroy integer NOT NULL DEFAULT 0,
      to_import integer NOT NULL DEFAULT 0,
      summary text,
      fingerprint text,
      commit_sha text,
      refresh_run_id uuid,
      plan_run_id uuid,
      checked_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX drift_history_record ON drift_history (record_id, checked_at DESC);
    CREATE TABLE drift_remediations (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      repo_full_name text NOT NULL,
      ref text NOT NULL,
      action text NOT NULL,
      drift_only boolean NOT NULL DEFAULT false,
      actor_name text NOT NULL,
      projects jsonb NOT NULL DEFAULT '[]',
      started_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX drift_remediations_repo ON drift_remediations (tenant_id, repo_full_name, started_at DESC);
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query(`
    DROP TABLE IF EXISTS drift_remediations;
    DROP TABLE IF EXISTS drift_history;
    DROP TABLE IF EXISTS drift_records;
  `);
}
