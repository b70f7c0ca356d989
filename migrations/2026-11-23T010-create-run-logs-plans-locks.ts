import type { Sequelize } from 'sequelize';

export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    CREATE TABLE IF NOT EXISTS run_logs (
      run_id uuid NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      seq integer NOT NULL,
      phase text NOT NULL,
      chunk text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (run_id, seq)
    );
    CREATE TABLE IF NOT EXISTS run_plans (
      run_id uuid PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      key_id text NOT NULL,
      data bytea NOT NULL,
      sha256 text NOT NULL,
      size integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE IF NOT EXISTS project_locks (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      repo_full_name text NOT NULL,
      dir text NOT NULL,
      workspace text NOT NULL,
      project_name text NOT NULL DEFAULT '',
      holder_kind text NOT NULL CHECK (holder_kind IN ('pull_request', 'actor')),
      pr_number integer,
      pr_url text,
      holder_name text NOT NULL,
      locked_by text NOT NULL,
      -- deferred: a lock is taken in the same transaction that inserts its run, just before it
      run_id uuid REFERENCES runs(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
      locked_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, repo_full_name, dir, workspace, project_name)
    );
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query('DROP TABLE IF EXISTS project_locks; DROP TABLE IF EXISTS run_plans; DROP TABLE IF EXISTS run_logs;');
}
