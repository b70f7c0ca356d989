import type { Sequelize } from 'sequelize';

export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    CREATE TABLE IF NOT EXISTS instances (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      name text NOT NULL,
      status text NOT NULL DEFAULT 'pending',
      version text NOT NULL DEFAULT '',
      config_json jsonb NOT NULL DEFAULT '{}'::jsonb,
      position_x double precision,
      position_y double precision,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, name)
    );
    CREATE TABLE IF NOT EXISTS environments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      name text NOT NULL,
      cloud_provider text NOT NULL CHECK (cloud_provider IN ('aws', 'gcp', 'azure', 'hetzner', 'digitalocean')),
      region text NOT NULL DEFAULT '',
      terraform_workspace text NOT NULL DEFAULT 'default',
      repository_url text NOT NULL DEFAULT '',
      instance_id uuid REFERENCES instances(id) ON DELETE SET NULL,
      drift_status text NOT NULL DEFAULT 'unknown',
      last_drift_check_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, name)
    );
    CREATE TABLE IF NOT EXISTS projects (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      name text NOT NULL,
      repository_url text NOT NULL DEFAULT '',
      terraform_path text NOT NULL DEFAULT '.',
      workspace text NOT NULL DEFAULT 'default',
      branch text NOT NULL DEFAULT 'main',
      state_backend text NOT NULL DEFAULT 'platform',
      auto_apply boolean NOT NULL DEFAULT false,
      instance_id uuid REFERENCES instances(id) ON DELETE SET NULL,
      environment_id uuid REFERENCES environments(id) ON DELETE SET NULL,
      position_x double precision,
      position_y double precision,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, name)
    );
    CREATE TABLE IF NOT EXISTS project_dependencies (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
      depends_on_project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
      output_mapping jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (project_id, depends_on_project_id),
      CHECK (project_id <> depends_on_project_id)
    );
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query('DROP TABLE IF EXISTS project_dependencies; DROP TABLE IF EXISTS projects; DROP TABLE IF EXISTS environments; DROP TABLE IF EXISTS instances;');
}
