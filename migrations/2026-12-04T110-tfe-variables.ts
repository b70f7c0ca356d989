import type { Sequelize } from 'sequelize';

/**
 * TFE workspace variables (issue 15 part 5): `terraform` and `env` categories, HCL or plain.
 * Every value is sealed with the server key (AES-256-GCM, AAD = the variable's id); a sensitive
 * one is never returned by any endpoint, to anyone.
 */
export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    CREATE TABLE tfe_variables (
      id text PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      workspace_id text NOT NULL REFERENCES tfe_workspaces(id) ON DELETE CASCADE,
      key text NOT NULL,
      category text NOT NULL,
      hcl boolean NOT NULL DEFAULT false,
      sensitive boolean NOT NULL DEFAULT false,
      description text NOT NULL DEFAULT '',
      value_key_id text NOT NULL,
      value_sealed bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (workspace_id, category, key)
    );
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query('DROP TABLE IF EXISTS tfe_variables;');
}
