import type { Sequelize } from 'sequelize';

/**
 * Terraform state: one `states` row per (tenant, name, workspace) carrying the current-version
 * pointer and the lock, and immutable `state_versions` rows holding the encrypted bytes.
 * A version row is never updated except by key rotation (same plaintext, new key).
 */
export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    CREATE TABLE IF NOT EXISTS states (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      name text NOT NULL,
      workspace text NOT NULL,
      project_id uuid REFERENCES projects(id) ON DELETE SET NULL,
      current_version_id uuid,
      latest_version integer NOT NULL DEFAULT 0,
      serial bigint,
      lineage text,
      md5 text,
      size integer,
      lock_id text,
      lock_info jsonb,
      locked_at timestamptz,
      locked_by text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, name, workspace),
      CHECK ((lock_id IS NULL) = (lock_info IS NULL))
    );
    CREATE TABLE IF NOT EXISTS state_versions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      state_id uuid NOT NULL REFERENCES states(id) ON DELETE CASCADE,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      version integer NOT NULL CHECK (version > 0),
      serial bigint NOT NULL CHECK (serial >= 0),
      lineage text NOT NULL,
      md5 text NOT NULL,
      size integer NOT NULL,
      key_id text NOT NULL,
      data bytea NOT NULL,
      forced boolean NOT NULL DEFAULT false,
      created_by_kind text NOT NULL,
      created_by_id text,
      created_by_name text NOT NULL,
      via text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (state_id, version)
    );
    ALTER TABLE states DROP CONSTRAINT IF EXISTS states_current_version_fk;
    ALTER TABLE states ADD CONSTRAINT states_current_version_fk
      FOREIGN KEY (current_version_id) REFERENCES state_versions(id) DEFERRABLE INITIALLY DEFERRED;
    CREATE INDEX IF NOT EXISTS state_versions_key_idx ON state_versions (key_id);
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query('ALTER TABLE IF EXISTS states DROP CONSTRAINT IF EXISTS states_current_version_fk; DROP TABLE IF EXISTS state_versions; DROP TABLE IF EXISTS states;');
}
