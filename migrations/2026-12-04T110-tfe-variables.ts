import type { Sequelize } from 'sequelize';

/**
 * TFE variables (issue 15 part 5): a workspace's own variables and variable sets (a tenant's,
 * attached to workspaces or global), `terraform` and `env` categories, HCL or plain. A variable
 * belongs to exactly one workspace or one set. Every value is sealed with the server key
 * (AES-256-GCM, AAD = the variable's id); a sensitive one is never returned by any endpoint.
 */
export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    CREATE TABLE tfe_varsets (
      id text PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      name text NOT NULL,
      description text NOT NULL DEFAULT '',
      global boolean NOT NULL DEFAULT false,
      priority boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, name)
    );
    CREATE TABLE tfe_varset_workspaces (
      varset_id text NOT NULL REFERENCES tfe_varsets(id) ON DELETE CASCADE,
      workspace_id text NOT NULL REFERENCES tfe_workspaces(id) ON DELETE CASCADE,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      PRIMARY KEY (varset_id, workspace_id)
    );
    CREATE INDEX tfe_varset_workspaces_workspace ON tfe_varset_workspaces (workspace_id);
    CREATE TABLE tfe_variables (
      id text PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      workspace_id text REFERENCES tfe_workspaces(id) ON DELETE CASCADE,
      varset_id text REFERENCES tfe_varsets(id) ON DELETE CASCADE,
      key text NOT NULL,
      category text NOT NULL,
      hcl boolean NOT NULL DEFAULT false,
      sensitive boolean NOT NULL DEFAULT false,
      description text NOT NULL DEFAULT '',
      value_key_id text NOT NULL,
      value_sealed bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((workspace_id IS NULL) <> (varset_id IS NULL)),
      UNIQUE (workspace_id, category, key),
      UNIQUE (varset_id, category, key)
    );
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query('DROP TABLE IF EXISTS tfe_variables; DROP TABLE IF EXISTS tfe_varset_workspaces; DROP TABLE IF EXISTS tfe_varsets;');
}
